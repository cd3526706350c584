"""Opening work with a family needs a route in, and the triage queue is one.

Review finding (issue 13): a team manager could open a case for any family id. Now a case
opens (or reopens) only along a route the sharing policy accepts: a relationship (an accepted
referral, a team, for managers a colleague's), emergency access, or the triage purpose for a
family on the triage queue under an agreement listing triage. Otherwise it is refused with
the reason and the next step, and the refusal is audited.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wraparound.casework import services
from wraparound.casework.models import FamilyCase
from wraparound.casework.tests.builders import known_family
from wraparound.casework.tests.casework_builders import team_around_family
from wraparound.casework.tests.triage_builders import on_triage_queue, triage_agreement
from wraparound.casework.triage import triage_queue
from wraparound.core.models import Role
from wraparound.sharing.models import AuditEntry, AuditOutcome, BreakGlassGrant, RelationshipKind
from wraparound.sharing.policy import decide, visible_families
from wraparound.sharing.tests import factories as sharing

pytestmark = pytest.mark.django_db


def _team(family):  # type: ignore[no-untyped-def]
    manager = sharing.worker(family.early_help, role=Role.TEAM_MANAGER, username="tia-manager")
    lead = sharing.worker(family.early_help, username="lou-lead", first_name="Lou")
    return manager, lead


def _denials(user, family_public_id: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    return list(
        AuditEntry.objects.filter(
            actor_username=user.username,
            family_public_id=family_public_id,
            outcome=AuditOutcome.DENY,
        )
    )


# --- the route in ---------------------------------------------------------------------------


def test_a_team_manager_cannot_open_a_case_for_a_family_with_no_route_in() -> None:
    family = known_family()
    manager, lead = _team(family)

    with pytest.raises(services.NoRouteInError) as refused:
        services.open_case(by=manager, family_public_id=family.family_public_id, lead=lead)

    message = str(refused.value)
    assert "no current relationship" in message
    assert "not on the triage queue" in message or "triage" in message
    assert "refer them to yours" in message
    assert "emergency access" in message
    assert not FamilyCase.objects.filter(family_public_id=family.family_public_id).exists()
    assert _denials(manager, family.family_public_id), "the refusal is audited"


def test_an_accepted_referral_to_the_agency_is_a_route_in() -> None:
    family = known_family()
    manager, lead = _team(family)
    sharing.relationship(
        manager,
        family.family_public_id,
        kind=RelationshipKind.REFERRAL_TO_AGENCY,
        purpose="early_help_coordination",
    )

    case = services.open_case(by=manager, family_public_id=family.family_public_id, lead=lead)

    assert case.lead == lead
    entry = AuditEntry.objects.filter(
        actor_username=manager.username, reason__contains="Route in to open a case"
    ).get()
    assert entry.outcome == AuditOutcome.PERMIT
    assert entry.relationship == RelationshipKind.REFERRAL_TO_AGENCY


def test_emergency_access_is_a_route_in() -> None:
    family = known_family()
    manager, lead = _team(family)
    BreakGlassGrant.objects.create(
        user=manager,
        family_public_id=family.family_public_id,
        reason="Child at risk tonight, police called",
        categories=["identity"],
        expires_at=timezone.now() + dt.timedelta(hours=4),
    )

    case = services.open_case(by=manager, family_public_id=family.family_public_id, lead=lead)

    assert case.is_open


def test_the_triage_purpose_is_a_route_in_for_a_family_on_the_queue() -> None:
    family = known_family()
    manager, lead = _team(family)
    on_triage_queue(family)
    triage_agreement(family)

    case = services.open_case(by=manager, family_public_id=family.family_public_id, lead=lead)

    assert case.lead == lead
    entry = AuditEntry.objects.filter(
        actor_username=manager.username, reason__contains="Route in to open a case"
    ).get()
    assert entry.purpose == "triage"
    assert entry.outcome == AuditOutcome.PERMIT


def test_triage_is_no_route_in_without_an_agreement_listing_it() -> None:
    family = known_family()
    manager, lead = _team(family)
    on_triage_queue(family)
    triage_agreement(family, purposes=("early_help_coordination",))

    with pytest.raises(services.NoRouteInError, match="for triage"):
        services.open_case(by=manager, family_public_id=family.family_public_id, lead=lead)


def test_triage_is_no_route_in_for_a_family_already_supported() -> None:
    family = known_family()
    manager, lead = _team(family)
    on_triage_queue(family, supported=True)
    triage_agreement(family)

    with pytest.raises(services.NoRouteInError, match="not on the triage queue"):
        services.open_case(by=manager, family_public_id=family.family_public_id, lead=lead)


def test_a_practitioner_never_triages() -> None:
    family = known_family()
    _, lead = _team(family)
    on_triage_queue(family)
    triage_agreement(family)

    decision = decide(
        user=lead, family_public_id=family.family_public_id, categories=[], purpose="triage"
    )

    assert not decision.has_need_to_know
    assert "team managers do" in decision.need_to_know_reason
    with pytest.raises(services.NoRouteInError):
        services.open_case(by=lead, family_public_id=family.family_public_id, lead=lead)


def test_reopening_a_closed_case_needs_a_route_in_too() -> None:
    team = team_around_family()
    services.close_case(
        by=team.lead, case=team.case, reason="needs_met", expected_version=team.case.version
    )
    outsider = sharing.worker(team.social_care, role=Role.TEAM_MANAGER, username="oz-outsider")
    worker = sharing.worker(team.social_care, username="ola-worker")

    with pytest.raises(services.NoRouteInError):
        services.reopen_case(by=outsider, case=team.case, lead=worker, reason="New concerns")

    team.case.refresh_from_db()
    assert not team.case.is_open


def test_the_opening_page_refuses_without_a_route_and_says_what_to_do() -> None:
    family = known_family()
    manager, _ = _team(family)
    client = Client()
    client.force_login(manager)
    before = AuditEntry.objects.count()

    response = client.get(
        reverse("casework:case-open", kwargs={"family_public_id": family.family_public_id})
    )

    assert response.status_code == 403
    body = response.content.decode()
    assert "no current relationship" in body
    assert reverse("sharing:break-glass-new") in body
    assert reverse("casework:triage") in body
    assert AuditEntry.objects.count() == before + 1


def test_the_opening_page_shows_the_form_along_the_triage_route() -> None:
    family = known_family()
    manager, lead = _team(family)
    on_triage_queue(family)
    triage_agreement(family)
    client = Client()
    client.force_login(manager)
    url = reverse("casework:case-open", kwargs={"family_public_id": family.family_public_id})

    assert client.get(url).status_code == 200
    response = client.post(url, {"lead": lead.pk})

    assert response.status_code == 302
    assert FamilyCase.objects.get(family_public_id=family.family_public_id).lead == lead


# --- the triage queue -----------------------------------------------------------------------


def test_the_policy_lists_the_queue_for_triage_only_under_an_agreement_listing_it() -> None:
    family = known_family()
    manager, _ = _team(family)
    on_triage_queue(family)

    assert visible_families(manager, "triage") == set()
    triage_agreement(family)
    assert visible_families(manager, "triage") == {family.family_public_id}
    # Triage gives no family page: the casework purposes still need a relationship.
    assert visible_families(manager, "early_help_coordination") == set()


def test_the_queue_names_the_family_under_triage_with_only_what_the_agreement_shares() -> None:
    family = known_family()
    manager, _ = _team(family)
    on_triage_queue(family)
    triage_agreement(family)

    queue = triage_queue(user=manager)

    assert queue.permitted
    assert queue.waiting == 1
    [row] = queue.rows
    assert row.family_public_id == family.family_public_id
    assert [p.name for p in row.people] == ["Kelly Booth"]  # the police record; health withheld
    assert row.identities_withheld == 1  # the child is known only to health
    assert [f.indicator_key for f in row.flags] == ["police_da"]
    assert row.withheld == 1
    assert row.outcome_count == 1  # counted from what is shown, not from the stored profile
    reads = AuditEntry.objects.filter(
        actor_username=manager.username, family_public_id=family.family_public_id
    )
    assert reads.filter(purpose="triage", reason__contains="Triage queue").exists()


def test_without_the_triage_purpose_the_queue_shows_counts_and_places_not_identities() -> None:
    family = known_family()
    manager, _ = _team(family)
    on_triage_queue(family)
    client = Client()
    client.force_login(manager)

    response = client.get(reverse("casework:triage"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "1 family waiting" in body
    assert family.family_public_id not in body
    assert "Booth" not in body
    assert "No approved agreement" in body
    assert "triage" in body
    assert 'data-testid="pseudonymous-queue"' in body


def test_a_family_allocated_since_the_run_leaves_the_queue() -> None:
    family = known_family()
    manager, lead = _team(family)
    on_triage_queue(family)
    triage_agreement(family)
    services.open_case(by=manager, family_public_id=family.family_public_id, lead=lead)

    queue = triage_queue(user=manager)

    assert queue.waiting == 0
    assert queue.allocated == 1
    assert queue.rows == []
