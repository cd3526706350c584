"""Linkage review reads records through the sharing policy; its writes check and audit.

Findings 2, 9 and 10 of issue 11: any agency's data analyst saw other agencies' names, dates
of birth and NHS numbers on pair and person pages (the view wrote its own "permit" entry and
never asked the policy); merge, split and pair decisions were neither permission-checked in
the service nor audited; two reviewers' decisions on one pair silently overwrote each other.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wraparound.core.models import AgencyKind, Role
from wraparound.matching.models import PairDecision, Person, PersonRecordLink, ReviewPair
from wraparound.matching.services import (
    IndexActionError,
    StaleReviewError,
    decide_pair,
    merge_people,
    split_person,
)
from wraparound.records.models import Extract, SourceRecord
from wraparound.sharing.models import AuditEntry
from wraparound.sharing.tests.factories import agency, agreement, worker

pytestmark = pytest.mark.django_db
SURNAME = "Quellington"
NHS = "9434765919"


def _record(at: object, key: str, **fields: object) -> SourceRecord:
    extract, _ = Extract.objects.get_or_create(
        agency=at,
        dataset_kind="people",
        defaults={"file_name": "p.csv", "sha256": key, "file_format": "csv"}
        | {"received_at": timezone.now()},
    )
    return SourceRecord.objects.create(
        extract=extract, row_number=1, record_key=key, source_id=key.rsplit(":", 1)[-1], **fields
    )


@pytest.fixture
def review() -> dict:
    social = agency(AgencyKind.SOCIAL_CARE, "social-care", "Children's Social Care")
    voluntary = agency(AgencyKind.VOLUNTARY, "family-action", "Family Action")
    _record(
        social, "social-care:people:1", surname=SURNAME, dob=dt.date(2015, 3, 9), nhs_number=NHS
    )
    _record(voluntary, "family-action:people:7", surname="Quelington", dob=dt.date(2015, 3, 9))
    left, right = (
        Person.objects.create(public_id="P-LEFT0001"),
        Person.objects.create(public_id="P-RIGHT001"),
    )
    PersonRecordLink.objects.create(person=left, record_key="family-action:people:7")
    PersonRecordLink.objects.create(person=right, record_key="social-care:people:1")
    pair = ReviewPair.objects.create(
        record_key_l="family-action:people:7",
        record_key_r="social-care:people:1",
        match_probability=0.7,
    )
    analyst = worker(voluntary, Role.DATA_ANALYST)
    return {"social": social, "voluntary": voluntary, "pair": pair, "analyst": analyst}


def _get(user: object, url: str) -> str:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_an_analyst_without_an_agreement_sees_only_their_own_agencys_fields(review: dict) -> None:
    before = AuditEntry.objects.count()
    body = _get(review["analyst"], reverse("matching:pair", kwargs={"pk": review["pair"].pk}))
    assert "Quelington" in body, "their own agency's record"
    assert SURNAME not in body
    assert NHS not in body
    assert "Withheld" in body
    entries = AuditEntry.objects.filter(sequence__gt=before)
    assert entries.count() == 1, "one audit entry per page"
    entry = entries.get()
    assert entry.purpose == "linkage_review"
    assert entry.outcome == "partial"
    assert {c["provider"] for c in entry.categories if c["outcome"] == "deny"} == {"social-care"}
    assert "P-LEFT0001" in entry.reason
    assert "P-RIGHT001" in entry.reason


def test_the_person_page_masks_other_agencies_records_too(review: dict) -> None:
    body = _get(review["analyst"], reverse("matching:person", kwargs={"public_id": "P-RIGHT001"}))
    assert SURNAME not in body
    assert NHS not in body


def test_an_agreement_for_linkage_review_shows_the_fields_it_covers(review: dict) -> None:
    agreement(
        parties=[review["social"], review["voluntary"]],
        shares=[(review["social"], "identity")],
        purposes=["linkage_review"],
    )
    body = _get(review["analyst"], reverse("matching:pair", kwargs={"pk": review["pair"].pk}))
    assert SURNAME in body


def test_an_agreement_for_casework_does_not_open_records_for_linkage_review(review: dict) -> None:
    agreement(
        parties=[review["social"], review["voluntary"]],
        shares=[(review["social"], "identity")],
        purposes=["safeguarding"],
    )
    body = _get(review["analyst"], reverse("matching:pair", kwargs={"pk": review["pair"].pk}))
    assert SURNAME not in body


def test_review_writes_refuse_other_roles_in_the_service_and_audit_the_refusal(
    review: dict,
) -> None:
    practitioner = worker(review["voluntary"])
    with pytest.raises(IndexActionError, match="Only data analysts"):
        decide_pair(user=practitioner, pair=review["pair"], verdict="same")
    left, right = Person.objects.order_by("pk")
    with pytest.raises(IndexActionError, match="Only data analysts"):
        merge_people(user=practitioner, keep=left, absorb=right, reason="same")
    with pytest.raises(IndexActionError, match="Only data analysts"):
        split_person(user=practitioner, person=left, record_keys=[], reason="x")
    assert not PairDecision.objects.exists()
    assert AuditEntry.objects.filter(outcome="deny", actor_id=practitioner.pk).count() == 3


def test_pair_decisions_merge_and_split_are_audited_in_their_transaction(review: dict) -> None:
    analyst = review["analyst"]
    decide_pair(user=analyst, pair=review["pair"], verdict="same", reason="same school")
    assert AuditEntry.objects.filter(
        action="amend", outcome="permit", reason__contains=f"Pair {review['pair'].pk}"
    ).exists()
    left, right = Person.objects.order_by("pk")
    merge_people(user=analyst, keep=left, absorb=right, reason="same child")
    merged = AuditEntry.objects.get(reason__startswith="Merged")
    assert merged.person_public_id == left.public_id
    split_person(user=analyst, person=left, record_keys=["social-care:people:1"], reason="no")
    assert AuditEntry.objects.filter(reason__startswith="Split").exists()


def test_a_stale_pair_decision_is_refused_with_the_other_reviewers_ruling(review: dict) -> None:
    first, second = review["analyst"], worker(review["voluntary"], Role.DATA_ANALYST)
    seen = 0  # both opened the pair before anyone had ruled
    decide_pair(user=first, pair=review["pair"], verdict="same", expected_latest=seen)
    with pytest.raises(StaleReviewError, match="ruled on this pair since you opened it"):
        decide_pair(user=second, pair=review["pair"], verdict="different", expected_latest=seen)
    assert list(PairDecision.objects.values_list("verdict", flat=True)) == ["same"]


def test_the_pair_page_refuses_a_stale_decision_and_says_whose_won(review: dict) -> None:
    client = Client()
    client.force_login(review["analyst"])
    url = reverse("matching:pair", kwargs={"pk": review["pair"].pk})
    decide_pair(
        user=worker(review["voluntary"], Role.DATA_ANALYST), pair=review["pair"], verdict="same"
    )
    response = client.post(url, {"verdict": "different", "seen": "0"}, follow=True)
    assert "ruled on this pair since you opened it" in response.content.decode()
    assert PairDecision.objects.count() == 1


def test_the_queue_lists_each_sides_name_and_key_fields_masked_as_the_pair_page(
    review: dict,
) -> None:
    before = AuditEntry.objects.count()
    body = _get(review["analyst"], reverse("matching:queue"))
    assert "Quelington" in body, "their own agency's record, by name"
    assert "Born 9 Mar 2015" in body
    assert SURNAME not in body, "the other agency's name: no agreement covers it"
    assert NHS not in body
    assert "Date of birth withheld" in body
    entries = AuditEntry.objects.filter(sequence__gt=before)
    assert entries.count() == 1, "one audit entry for the page's records"
    assert entries.get().purpose == "linkage_review"
    assert f"queue page 1 (pairs {review['pair'].pk})" in entries.get().reason


def test_the_queue_shows_the_other_agencys_names_where_an_agreement_covers_them(
    review: dict,
) -> None:
    agreement(
        parties=[review["social"], review["voluntary"]],
        shares=[(review["social"], "identity")],
        purposes=["linkage_review"],
    )
    body = _get(review["analyst"], reverse("matching:queue"))
    assert SURNAME in body
    assert NHS in body
