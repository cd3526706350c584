"""The family page shows a practitioner exactly what the sharing agreements permit, says what
it withheld and why, and refuses a family they have no relationship with."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from wraparound.casework.tests.builders import early_help_may_see_police_not_health, known_family
from wraparound.sharing.models import AuditEntry, AuditOutcome
from wraparound.sharing.tests import factories as sharing

pytestmark = pytest.mark.django_db


def _open(client: Client, family: str, **params: str):  # type: ignore[no-untyped-def]
    query = {"purpose": "early_help_coordination", **params}
    return client.get(reverse("casework:family", kwargs={"family_public_id": family}), query)


def test_allocated_worker_sees_permitted_police_events_and_is_told_health_is_withheld() -> None:
    family = known_family()
    early_help_may_see_police_not_health(family)
    worker = sharing.worker(family.early_help)
    sharing.relationship(worker, family.family_public_id)
    client = Client()
    client.force_login(worker)

    response = _open(client, family.family_public_id)

    assert response.status_code == 200
    page = response.context["page"]
    assert [line.kind for line in page.chronology] == ["domestic_abuse_incident"] * 3
    assert all(line.source == "hartshire-police:incidents" for line in page.chronology)
    assert {(w.provider, w.category) for w in page.withheld} >= {("Community Health", "health")}
    body = response.content.decode()
    assert "Some information is withheld" in body
    assert "Kelly Booth" in body  # identity from the police record, which is shared
    assert "Ruby" not in body  # the child's only record is health's, which is not shared


def test_practitioner_without_a_relationship_is_refused_and_the_refusal_is_audited() -> None:
    family = known_family()
    early_help_may_see_police_not_health(family)
    stranger = sharing.worker(family.early_help, username="stranger")
    client = Client()
    client.force_login(stranger)

    response = _open(client, family.family_public_id)

    assert response.status_code == 403
    assert "You cannot open family F-TEST0001" in response.content.decode()
    assert "Domestic" not in response.content.decode()
    assert AuditEntry.objects.filter(
        actor_id=stranger.pk, family_public_id="F-TEST0001", outcome=AuditOutcome.DENY
    ).exists()


def test_every_family_page_view_is_audited_with_what_was_permitted_and_denied() -> None:
    family = known_family()
    early_help_may_see_police_not_health(family)
    worker = sharing.worker(family.early_help)
    sharing.relationship(worker, family.family_public_id)
    client = Client()
    client.force_login(worker)
    before = AuditEntry.objects.count()

    _open(client, family.family_public_id)

    entries = AuditEntry.objects.filter(sequence__gt=before, actor_id=worker.pk)
    assert entries.count() == 1, "one audit entry per page view"
    assert entries.get().outcome == "partial"
    categories = entries.get().categories
    permitted = {c["category"] for c in categories if c["outcome"] == "permit"}
    denied = {c["category"] for c in categories if c["outcome"] == "deny"}
    assert {"police", "identity"} <= permitted
    assert "health" in denied


def test_chronology_filters_by_agency_and_date_and_rejects_a_bad_date_clearly() -> None:
    family = known_family()
    sharing.agreement(
        parties=[family.police, family.health, family.early_help],
        shares=[(family.police, "police"), (family.health, "health"), (family.health, "identity")],
        purposes=["early_help_coordination"],
    )
    worker = sharing.worker(family.early_help)
    sharing.relationship(worker, family.family_public_id)
    client = Client()
    client.force_login(worker)

    everything = _open(client, family.family_public_id).context["page"]
    health_only = _open(client, family.family_public_id, agency="community-health").context["page"]
    bad_date = _open(client, family.family_public_id, since="last tuesday")

    assert everything.chronology_total == 5
    assert {line.kind for line in health_only.chronology} == {"missed_health_contact"}
    assert "Enter a date like 2025-04-01" in bad_date.content.decode()
    assert len(bad_date.context["page"].chronology) == 5


def test_my_families_lists_only_families_with_a_relationship() -> None:
    family = known_family()
    worker = sharing.worker(family.early_help)
    other = sharing.worker(family.early_help, username="no-families")
    sharing.relationship(worker, family.family_public_id)

    mine = Client()
    mine.force_login(worker)
    theirs = Client()
    theirs.force_login(other)

    assert "F-TEST0001" in mine.get(reverse("casework:my-families")).content.decode()
    assert "F-TEST0001" not in theirs.get(reverse("casework:my-families")).content.decode()
