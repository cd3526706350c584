"""The IG officer's and practitioner's pages do what they say, end to end through the views."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wraparound.core.models import AgencyKind, Role
from wraparound.core.tests.factories import signed_in
from wraparound.sharing.models import (
    AgreementStatus,
    Alert,
    AuditEntry,
    BreakGlassGrant,
    ConsentRecord,
    SharingAgreement,
)
from wraparound.sharing.tests.factories import agency, agreement, family, relationship, worker

pytestmark = pytest.mark.django_db


def _confirmed(client: Client, url: str, data: dict[str, object]) -> Any:
    """Send a form, check its "Check your answers" page, then confirm the answers as shown."""
    check = client.post(url, data)
    assert check.status_code == 200
    assert 'data-testid="check-answers"' in check.content.decode(), "a check page first"
    return client.post(url, {**data, "confirm": "yes"})


def _draft_through_tasks(client: Client, data: dict[str, object], pk: int | None = None) -> Any:
    """Answer every task of the agreement editor with ``data``, then check and save."""
    from wraparound.sharing.agreement_tasks import TASKS

    base = reverse("sharing:agreement-new" if pk is None else "sharing:agreement-edit",
                   kwargs={} if pk is None else {"pk": pk})  # fmt: skip
    assert client.get(base).status_code == 200
    for task in TASKS:
        answered = client.post(f"{base}{task.slug}/", data)
        assert answered.status_code == 302, (task.slug, answered.content.decode()[-3000:])
    check = client.get(f"{base}check/")
    assert 'data-testid="check-answers"' in check.content.decode()
    return client.post(f"{base}check/", {"confirm": "yes"})


def _agreement_post(police: object, health: object) -> dict[str, object]:
    return {
        "reference": "DSA-900",
        "title": "Missing children protocol",
        "purpose_statement": "Sharing to find missing children quickly.",
        "purposes": ["safeguarding"],
        "data_subjects": ["child"],
        "retention": "Until the child is 25",
        "start_date": timezone.localdate().isoformat(),
        f"party_{police.pk}": "on",  # type: ignore[attr-defined]
        f"bases_{police.pk}": ["ART6_1_E", "CDA1998_S115"],  # type: ignore[attr-defined]
        f"provides_{police.pk}": ["police"],  # type: ignore[attr-defined]
        f"party_{health.pk}": "on",  # type: ignore[attr-defined]
        f"bases_{health.pk}": ["ART6_1_E", "ART9_2_H"],  # type: ignore[attr-defined]
        f"provides_{health.pk}": ["health"],  # type: ignore[attr-defined]
    }


def test_ig_officers_draft_an_agreement_and_it_is_in_force_only_when_every_party_approves() -> None:
    police, health = agency(AgencyKind.POLICE), agency(AgencyKind.HEALTH)
    police_ig, health_ig = worker(police, Role.IG_OFFICER), worker(health, Role.IG_OFFICER)
    response = _draft_through_tasks(signed_in(police_ig), _agreement_post(police, health))
    assert response.status_code == 302
    made = SharingAgreement.objects.get(reference="DSA-900")
    assert made.status == AgreementStatus.DRAFT
    approve = reverse("sharing:agreement-approve", args=[made.pk])
    signed_in(police_ig).post(approve, {"confirm": "yes"})
    made.refresh_from_db()
    assert made.status == AgreementStatus.DRAFT, "one party still to approve"
    signed_in(health_ig).post(approve, {"confirm": "yes"})
    made.refresh_from_db()
    assert made.status == AgreementStatus.APPROVED
    assert made.versions.filter(note="Approved by every party").count() == 1
    page = signed_in(worker(police)).get(reverse("sharing:agreement-text", args=[made.pk]))
    assert "Crime and Disorder Act 1998 section 115" in page.content.decode()
    assert (
        AuditEntry.objects.filter(action="amend", reason__contains="approved DSA-900").count() == 2
    )


def test_a_draft_with_errors_is_refused_with_a_message_and_nothing_is_saved() -> None:
    police = agency(AgencyKind.POLICE)
    volunteers = agency(AgencyKind.VOLUNTARY)
    data = _agreement_post(police, volunteers)
    data[f"bases_{volunteers.pk}"] = ["CDA1998_S115"]
    response = _draft_through_tasks(signed_in(worker(police, Role.IG_OFFICER)), data)
    assert response.status_code == 400
    assert "not available to it" in response.content.decode()
    assert not SharingAgreement.objects.exists()


def test_an_ig_officer_of_a_party_can_suspend_an_agreement_and_sharing_stops() -> None:
    police, health = agency(AgencyKind.POLICE), agency(AgencyKind.HEALTH)
    made = agreement(parties=[police, health], shares=[(health, "health")])
    response = _confirmed(
        signed_in(worker(health, Role.IG_OFFICER)),
        reverse("sharing:agreement-suspend", args=[made.pk]),
        {"reason": "Breach under investigation"},
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.status == AgreementStatus.SUSPENDED
    assert made.status_reason == "Breach under investigation"


def test_an_ig_officer_of_another_agency_cannot_approve_or_suspend() -> None:
    police, health, housing = (
        agency(AgencyKind.POLICE),
        agency(AgencyKind.HEALTH),
        agency(AgencyKind.HOUSING),
    )
    made = agreement(parties=[police, health], shares=[], status=AgreementStatus.DRAFT)
    outsider = signed_in(worker(housing, Role.IG_OFFICER))
    outsider.post(reverse("sharing:agreement-approve", args=[made.pk]), {"confirm": "yes"})
    assert not made.parties.filter(approved_version__isnull=False).exists()


def test_practitioner_records_consent_withdrawal_and_it_is_audited() -> None:
    early = agency(AgencyKind.EARLY_HELP)
    practitioner = worker(early)
    family("F-PAGE")
    relationship(practitioner, "F-PAGE")
    response = _confirmed(
        signed_in(practitioner),
        reverse("sharing:consent-new"),
        {
            "family_public_id": "F-PAGE",
            "decision": "withdrawn",
            "given_by": "Mother",
            "method": "phone",
        },
    )
    assert response.status_code == 302
    assert ConsentRecord.objects.get().decision == "withdrawn"
    assert AuditEntry.objects.filter(consent_ref__startswith="consent-").exists()
    listing = signed_in(practitioner).get(reverse("sharing:consents"))
    assert "F-PAGE" in listing.content.decode()


def test_practitioners_see_consent_only_for_families_they_work_with() -> None:
    early = agency(AgencyKind.EARLY_HELP)
    mine, other = worker(early), worker(early)
    ConsentRecord.objects.create(family_public_id="F-SECRET", decision="given", recorded_by=other)
    assert "F-SECRET" not in signed_in(mine).get(reverse("sharing:consents")).content.decode()
    ig = worker(early, Role.IG_OFFICER)
    assert "F-SECRET" in signed_in(ig).get(reverse("sharing:consents")).content.decode()


def test_break_glass_form_needs_a_reason_then_alerts_and_queues_a_review() -> None:
    police, health = agency(AgencyKind.POLICE), agency(AgencyKind.HEALTH)
    officer = worker(police)
    client = signed_in(officer)
    refused = client.post(
        reverse("sharing:break-glass-new"),
        {"family_public_id": "F-BG", "reason": "urgent", "categories": ["health"], "hours": 2},
    )
    assert refused.status_code == 200
    assert "at least 20 characters" in refused.content.decode()
    assert not BreakGlassGrant.objects.exists()
    granted = _confirmed(
        client,
        reverse("sharing:break-glass-new"),
        {
            "family_public_id": "F-BG",
            "reason": "Child missing overnight, need GP and A&E contacts.",
            "categories": ["health"],
            "hours": 2,
        },
    )
    assert granted.status_code == 200
    grant = BreakGlassGrant.objects.get()
    assert Alert.objects.filter(agency=health, break_glass=grant).exists()
    health_ig = signed_in(worker(health, Role.IG_OFFICER))
    assert "F-BG" in health_ig.get(reverse("sharing:break-glass-queue")).content.decode()
    health_ig.post(
        reverse("sharing:break-glass-review", args=[grant.pk]),
        {"outcome": "justified", "notes": "Strategy meeting confirms."},
    )
    grant.refresh_from_db()
    assert grant.review_outcome == "justified"
    assert "F-BG" not in health_ig.get(reverse("sharing:break-glass-queue")).content.decode()


def test_the_emergency_access_alert_names_the_data_by_its_catalogue_labels() -> None:
    """The alert once read "for health, social_care data": codes, not the catalogue's words."""
    from wraparound.core.tests.raw_codes import raw_codes_in
    from wraparound.sharing.services import request_break_glass

    police, health = agency(AgencyKind.POLICE), agency(AgencyKind.HEALTH)
    agency(AgencyKind.SOCIAL_CARE)
    grant = request_break_glass(
        user=worker(police),
        family_public_id="F-LABEL",
        reason="Child missing overnight, need GP and A&E contacts.",
        categories=["health", "social_care"],
    )
    page = signed_in(worker(health, Role.IG_OFFICER)).get(reverse("sharing:governance"))
    html = page.content.decode()
    assert "for Health and Children&#x27;s social care data" in html
    assert not [p for p in raw_codes_in(html) if "F-LABEL" in p or "data" in p], raw_codes_in(html)
    assert "social_care" not in Alert.objects.filter(agency=health).get().message
    # The review page lists the grant's own audit entry, whose provider is "any" (``*``).
    review = signed_in(worker(health, Role.IG_OFFICER)).get(
        reverse("sharing:break-glass-review", args=[grant.pk])
    )
    assert "Health from any agency" in review.content.decode()
    assert raw_codes_in(review.content.decode()) == []


def test_audit_log_search_filters_by_family_and_outcome_and_pages() -> None:
    police = agency(AgencyKind.POLICE)
    officer = worker(police)
    from wraparound.sharing import audit

    for i in range(60):
        audit.record_access(
            user=officer,
            action="view",
            outcome="deny" if i % 2 else "permit",
            family_public_id="F-LOG" if i < 55 else "F-OTHER",
        )
    ig = signed_in(worker(police, Role.IG_OFFICER))
    page = ig.get(reverse("sharing:audit-log"), {"family": "F-LOG", "outcome": "deny"})
    assert page.context["page"].paginator.count == 27
    first = ig.get(reverse("sharing:audit-log"))
    assert first.context["page"].paginator.num_pages == 2
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert (
        ig.get(reverse("sharing:audit-log"), {"date_to": yesterday}).context["page"].paginator.count
        == 0
    )


def test_denied_and_break_glass_reports_count_what_happened() -> None:
    police, health = agency(AgencyKind.POLICE), agency(AgencyKind.HEALTH)
    officer = worker(police)
    from wraparound.sharing import gate

    class Item:
        agency_id = health.pk
        category = "health"

    gate.read(user=officer, family_public_id="F-R", purpose="safeguarding", items=[Item()])
    ig = signed_in(worker(police, Role.IG_OFFICER))
    assert ig.get(reverse("sharing:report-denied")).context["total"] == 1
    BreakGlassGrant.objects.create(
        user=officer,
        family_public_id="F-R",
        reason="x" * 30,
        categories=["health"],
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    assert ig.get(reverse("sharing:report-break-glass")).context["awaiting"] == 1


def test_an_ig_officer_delegates_and_revokes_uploads_from_the_page() -> None:
    from wraparound.sharing.models import UploadDelegation

    police, charity = agency(AgencyKind.POLICE), agency(AgencyKind.VOLUNTARY)
    client = signed_in(worker(police, Role.IG_OFFICER))
    url = reverse("sharing:upload-delegations")
    assert client.post(url, {"to_agency": charity.pk, "reason": "Runs our data"}).status_code == 302
    delegation = UploadDelegation.objects.get()
    assert (delegation.from_agency, delegation.to_agency) == (police, charity)
    assert client.post(url, {"revoke": str(delegation.pk)}).status_code == 302
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    assert client.post(url, {"to_agency": police.pk, "reason": "x"}).status_code == 400
