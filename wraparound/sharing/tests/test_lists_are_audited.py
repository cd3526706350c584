"""Lists that name families ask the gate's audited list question (finding 5 of issue 11)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from wraparound.core.models import AgencyKind, Role
from wraparound.sharing.models import AuditEntry, ConsentRecord
from wraparound.sharing.tests.factories import agency, relationship, worker

pytestmark = pytest.mark.django_db


def _get(user: object, name: str, **query: str) -> str:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client.get(reverse(name), query).content.decode()


def test_my_families_is_audited_and_lists_only_families_held_for_the_purpose() -> None:
    practitioner = worker(agency(AgencyKind.EARLY_HELP))
    relationship(practitioner, "F-MINE0001", purpose="early_help_coordination")
    page = _get(practitioner, "casework:my-families", purpose="safeguarding")
    assert "F-MINE0001" not in page, "an early help allocation is not a safeguarding one"
    page = _get(practitioner, "casework:my-families")
    assert "F-MINE0001" in page
    listed = AuditEntry.objects.filter(actor_id=practitioner.pk, action="search")
    assert [e.purpose for e in listed.order_by("sequence")] == [
        "safeguarding",
        "early_help_coordination",
    ]


def test_the_consent_list_is_audited_for_practitioners_and_ig_officers() -> None:
    early = agency(AgencyKind.EARLY_HELP)
    practitioner, ig = worker(early), worker(early, Role.IG_OFFICER)
    relationship(practitioner, "F-MINE0001")
    ConsentRecord.objects.create(
        family_public_id="F-MINE0001", decision="given", recorded_by=practitioner
    )
    assert "F-MINE0001" in _get(practitioner, "sharing:consents")
    assert "F-MINE0001" in _get(ig, "sharing:consents")
    assert AuditEntry.objects.filter(actor_id=practitioner.pk, action="search").count() == 1
    assert AuditEntry.objects.filter(actor_id=ig.pk, action="search").count() == 1
