"""Lead practitioner, team around the family, handover, notes, closure: the services' rules."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from wraparound.casework import services
from wraparound.casework.concurrency import CaseworkError, StaleEditError
from wraparound.casework.models import CaseHistory, CaseStatus, FamilyCase
from wraparound.casework.tests.casework_builders import open_after_referral, team_around_family
from wraparound.sharing.models import AuditEntry, CareRelationship, RelationshipKind
from wraparound.sharing.policy import visible_families
from wraparound.sharing.tests import factories as sharing

pytestmark = pytest.mark.django_db


def test_opening_a_case_names_one_lead_whose_membership_is_their_sharing_relationship() -> None:
    team = team_around_family()

    assert team.case.lead == team.lead
    lead_member = team.case.members.get(user=team.lead)
    assert lead_member.relationship.kind == RelationshipKind.ALLOCATED_WORKER
    assert lead_member.relationship.ended_at is None
    assert team.family.family_public_id in visible_families(team.lead, "early_help_coordination")
    assert AuditEntry.objects.filter(
        family_public_id=team.family.family_public_id, reason__startswith="Casework: Case opened"
    ).exists()


def test_the_database_refuses_an_open_case_without_a_lead() -> None:
    team = team_around_family()
    with pytest.raises(IntegrityError), transaction.atomic():
        FamilyCase.objects.filter(pk=team.case.pk).update(lead=None)


def test_a_family_has_at_most_one_open_case() -> None:
    team = team_around_family()
    with pytest.raises(CaseworkError, match="already has an open case"):
        services.open_case(
            by=team.manager, family_public_id=team.family.family_public_id, lead=team.colleague
        )


def test_a_case_cannot_be_opened_for_a_family_the_master_index_does_not_know() -> None:
    team = team_around_family()
    with pytest.raises(CaseworkError, match="no family F-NOSUCH"):
        open_after_referral(by=team.manager, family_public_id="F-NOSUCH", lead=team.colleague)


def test_a_practitioner_cannot_allocate_a_family_to_a_colleague() -> None:
    family = team_around_family().family
    other = sharing.worker(family.early_help, username="pat")
    with pytest.raises(CaseworkError, match="Only a team manager of the lead's agency"):
        open_after_referral(
            by=other, family_public_id="F-TEST0001", lead=family.early_help.staff.first()
        )


def test_a_member_from_another_agency_joins_with_a_role_and_gains_need_to_know() -> None:
    team = team_around_family()

    member = team.case.members.get(user=team.health_visitor)

    assert member.role == "Health visitor"
    assert member.relationship.kind == RelationshipKind.TEAM_AROUND_FAMILY
    assert team.family.family_public_id in visible_families(
        team.health_visitor, "early_help_coordination"
    )


def test_leaving_the_team_ends_the_relationship_at_once_but_the_lead_cannot_leave() -> None:
    team = team_around_family()
    member = team.case.members.get(user=team.health_visitor)

    services.end_membership(by=team.lead, member=member, reason="Child started nursery")

    member.refresh_from_db()
    assert member.left_on is not None
    assert CareRelationship.objects.get(pk=member.relationship_id).ended_at is not None
    assert team.family.family_public_id not in visible_families(
        team.health_visitor, "early_help_coordination"
    )
    with pytest.raises(CaseworkError, match="choose a new lead first"):
        services.end_membership(by=team.manager, member=team.case.members.get(user=team.lead))


def test_handover_moves_every_family_a_leaving_worker_leads_in_one_action() -> None:
    team = team_around_family()
    second = team_around_family_second(team)

    moved = services.hand_over_caseload(
        by=team.manager, leaving=team.lead, to=team.colleague, deactivate=True
    )

    assert moved == 2
    for case in (team.case, second):
        case.refresh_from_db()
        assert case.lead == team.colleague
        assert not case.members.filter(user=team.lead, left_on__isnull=True).exists()
    team.lead.refresh_from_db()
    assert team.lead.is_active is False
    assert visible_families(team.lead, "early_help_coordination") == set()


def team_around_family_second(team):  # type: ignore[no-untyped-def]
    from wraparound.matching.models import Family

    Family.objects.create(public_id="F-SECOND01")
    return open_after_referral(by=team.manager, family_public_id="F-SECOND01", lead=team.lead)


def test_a_worker_who_still_leads_families_cannot_be_deactivated() -> None:
    team = team_around_family()
    with pytest.raises(CaseworkError, match="still leads 1 open family"):
        services.deactivate_worker(by=team.manager, worker=team.lead)
    team.lead.refresh_from_db()
    assert team.lead.is_active


def test_only_a_manager_of_the_workers_agency_hands_over() -> None:
    team = team_around_family()
    with pytest.raises(CaseworkError, match="team manager of the worker's agency"):
        services.hand_over_caseload(
            by=team.social_care_manager, leaving=team.lead, to=team.colleague
        )


def test_changing_the_lead_from_a_stale_page_is_refused_and_says_who_changed_it() -> None:
    team = team_around_family()
    opened_at = team.case.version
    services.change_lead(
        by=team.manager, case=team.case, new_lead=team.colleague, expected_version=opened_at
    )

    with pytest.raises(StaleEditError) as refused:
        services.change_lead(
            by=team.manager,
            case=FamilyCase.objects.get(pk=team.case.pk),
            new_lead=team.health_visitor,
            expected_version=opened_at,
        )

    assert "changed by" in str(refused.value)
    team.case.refresh_from_db()
    assert team.case.lead == team.colleague


def test_notes_append_amendments_and_keep_the_original_text() -> None:
    team = team_around_family()
    note = services.add_note(
        by=team.health_visitor, case=team.case, category="health", body="Weight check missed."
    )

    services.amend_note(
        by=team.health_visitor, note=note, body="Weight check rebooked.", reason="Wrong clinic date"
    )

    note.refresh_from_db()
    assert note.body == "Weight check missed."
    assert [a.body for a in note.amendments.all()] == ["Weight check rebooked."]
    with pytest.raises(CaseworkError, match="Only the note's author"):
        services.amend_note(by=team.lead, note=note, body="x", reason="y")


def test_a_note_needs_a_category_from_the_sharing_catalogue() -> None:
    team = team_around_family()
    with pytest.raises(CaseworkError, match="kind of information"):
        services.add_note(by=team.lead, case=team.case, category="gossip", body="Hello")


def test_someone_outside_the_team_cannot_write_a_note() -> None:
    team = team_around_family()
    with pytest.raises(CaseworkError, match="Only members"):
        services.add_note(by=team.social_worker, case=team.case, category="social_care", body="x")


def test_closing_needs_a_coded_reason_ends_all_access_and_reopening_keeps_history() -> None:
    team = team_around_family()
    with pytest.raises(CaseworkError, match="Say more"):
        services.close_case(
            by=team.lead, case=team.case, reason="moved_away", expected_version=team.case.version
        )

    closure = services.close_case(
        by=team.lead, case=team.case, reason="needs_met", expected_version=team.case.version
    )

    team.case.refresh_from_db()
    assert team.case.status == CaseStatus.CLOSED
    assert team.case.lead is None
    assert closure.lead_at_closure == team.lead
    assert not team.case.members.filter(left_on__isnull=True).exists()
    assert visible_families(team.health_visitor, "early_help_coordination") == set()

    # Closing ended everyone's access: a new referral to early help is the route back in.
    sharing.relationship(
        team.manager,
        team.family.family_public_id,
        kind=RelationshipKind.REFERRAL_TO_AGENCY,
        purpose="early_help_coordination",
    )
    services.reopen_case(
        by=team.manager, case=team.case, lead=team.colleague, reason="New concerns"
    )

    team.case.refresh_from_db()
    closure.refresh_from_db()
    assert team.case.is_open
    assert team.case.lead == team.colleague
    assert closure.reopened_by == team.manager
    assert closure.reason == "needs_met"
    assert CaseHistory.objects.filter(case=team.case, what__startswith="Case closed").exists()
