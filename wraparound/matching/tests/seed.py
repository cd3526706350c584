"""Objects the matching pages need for the access-by-role test."""

from __future__ import annotations

from typing import Any

from wraparound.matching.models import Person, PersonRecordLink, ReviewPair


def seed(context: dict[str, Any]) -> None:
    person = Person.objects.create(public_id="P-ACCESS01")
    PersonRecordLink.objects.create(person=person, record_key="seed:people:1")
    context["matching_person"] = person
    context["matching_pair"] = ReviewPair.objects.create(
        record_key_l="seed:people:1", record_key_r="seed:people:2", match_probability=0.7
    )
