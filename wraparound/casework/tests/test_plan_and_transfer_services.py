"""The assessment's clock and sign-off, the plan's completeness and versions, step up."""

from __future__ import annotations

import datetime as dt

import pytest

from wraparound.casework import plan_services, transfers
from wraparound.casework.concurrency import CaseworkError, StaleEditError
from wraparound.casework.models import (
    ActionStatus,
    AssessmentStatus,
    FamilyCase,
    PlanAction,
    ServiceLevel,
    TransferStatus,
)
from wraparound.casework.plan_services import AreaAnswers
from wraparound.casework.tests.casework_builders import team_around_family
from wraparound.core import working_days
from wraparound.sharing.policy import visible_families

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 2)


def _assessed(team, *, needs=("safe_from_abuse", "health")):  # type: ignore[no-untyped-def]
    assessment = plan_services.start_assessment(by=team.lead, case=team.case, started_on=MONDAY)
    plan_services.save_assessment(
        by=team.lead,
        assessment=assessment,
        expected_version=assessment.version,
        areas={n: AreaAnswers(worries="Worried", is_need=True) for n in needs},
        child_words="I like nursery.",
        parents_words="We want help.",
    )
    return assessment


def test_the_assessment_is_due_45_working_days_after_it_starts_skipping_bank_holidays() -> None:
    team = team_around_family()
    assessment = plan_services.start_assessment(by=team.lead, case=team.case, started_on=MONDAY)
    # 2 Nov 2026 + 45 working days crosses Christmas (25 and 28 Dec) and New Year's Day.
    assert assessment.due_on == dt.date(2027, 1, 7)
    assert working_days.working_days_between(MONDAY, assessment.due_on) == 45


def test_completing_late_needs_a_recorded_reason_and_signing_off_needs_another_manager() -> None:
    team = team_around_family()
    assessment = _assessed(team)
    late = assessment.due_on + dt.timedelta(days=1)
    with pytest.raises(CaseworkError, match="record why it is late"):
        plan_services.complete_assessment(
            by=team.lead, assessment=assessment, expected_version=assessment.version, on=late
        )
    plan_services.complete_assessment(
        by=team.lead,
        assessment=assessment,
        expected_version=assessment.version,
        on=late,
        late_reason="Family away for three weeks",
    )
    with pytest.raises(CaseworkError, match="team manager of the assessing agency"):
        plan_services.sign_off_assessment(
            by=team.lead, assessment=assessment, expected_version=assessment.version
        )

    plan_services.sign_off_assessment(
        by=team.manager, assessment=assessment, expected_version=assessment.version
    )

    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SIGNED_OFF
    assert assessment.late_reason == "Family away for three weeks"


def test_a_plan_is_complete_only_when_every_identified_need_has_an_action() -> None:
    team = team_around_family()
    _assessed(team)
    due = MONDAY + dt.timedelta(days=30)
    plan_services.add_action(
        by=team.lead,
        case=team.case,
        outcome="safe_from_abuse",
        description="Lee refers mother to the domestic abuse service by Friday",
        owner=team.lead,
        due_on=due,
    )
    assert plan_services.needs_without_action(team.case) == ["health"]
    assert not plan_services.plan_is_complete(team.case)

    plan_services.add_action(
        by=team.lead,
        case=team.case,
        outcome="health",
        description="Hana rebooks the missed health visit this month",
        owner=team.health_visitor,
        due_on=due,
    )

    assert plan_services.plan_is_complete(team.case)
    assert team.case.plan.plan_versions.count() == 3  # started, and two actions


def test_an_action_is_owned_by_a_team_member_and_updated_by_its_owner() -> None:
    team = team_around_family()
    with pytest.raises(CaseworkError, match="not in the team"):
        plan_services.add_action(
            by=team.lead,
            case=team.case,
            outcome="health",
            description="Sid visits the family next week",
            owner=team.social_worker,
            due_on=MONDAY,
        )
    action = plan_services.add_action(
        by=team.lead,
        case=team.case,
        outcome="health",
        description="Hana rebooks the missed health visit",
        owner=team.health_visitor,
        due_on=MONDAY,
    )
    with pytest.raises(CaseworkError, match="owner or the lead"):
        plan_services.update_action(
            by=team.colleague,
            action=action,
            expected_version=action.version,
            status=ActionStatus.DONE,
            progress_note="",
        )
    plan_services.update_action(
        by=team.health_visitor,
        action=action,
        expected_version=action.version,
        status=ActionStatus.DONE,
        progress_note="Seen on Tuesday",
    )
    assert PlanAction.objects.get(pk=action.pk).status == ActionStatus.DONE


def test_two_people_saving_the_same_action_the_second_is_told_what_changed() -> None:
    team = team_around_family()
    action = plan_services.add_action(
        by=team.lead,
        case=team.case,
        outcome="health",
        description="Hana rebooks the missed health visit",
        owner=team.health_visitor,
        due_on=MONDAY,
    )
    both_opened = action.version
    plan_services.update_action(
        by=team.health_visitor,
        action=PlanAction.objects.get(pk=action.pk),
        expected_version=both_opened,
        status=ActionStatus.DONE,
        progress_note="Seen",
    )

    with pytest.raises(StaleEditError) as refused:
        plan_services.update_action(
            by=team.lead,
            action=PlanAction.objects.get(pk=action.pk),
            expected_version=both_opened,
            status=ActionStatus.IN_PROGRESS,
            progress_note="Chasing",
        )

    message = str(refused.value)
    assert "Hana Visitor" in message
    assert "'Done'" in message
    assert "'In progress'" in message
    assert PlanAction.objects.get(pk=action.pk).progress_note == "Seen"


def test_step_up_keeps_the_current_lead_responsible_until_the_receiver_accepts() -> None:
    team = team_around_family()
    _assessed(team)
    transfer = transfers.request_transfer(
        by=team.lead,
        case=team.case,
        direction="step_up",
        to_agency=team.social_care,
        reason="Escalating domestic abuse; child protection threshold likely met.",
    )
    case = FamilyCase.objects.get(pk=team.case.pk)
    assert case.lead == team.lead
    assert case.service_level == ServiceLevel.EARLY_HELP
    assert transfer.pack["assessment"]["areas"]
    # The receiving team can read the family to decide, through the referral relationship.
    assert team.family.family_public_id in visible_families(
        team.social_care_manager, "safeguarding"
    )
    with pytest.raises(CaseworkError, match="receiving agency"):
        transfers.accept_transfer(by=team.manager, transfer=transfer, new_lead=team.lead)

    transfers.accept_transfer(
        by=team.social_care_manager, transfer=transfer, new_lead=team.social_worker
    )

    case.refresh_from_db()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.ACCEPTED
    assert case.lead == team.social_worker
    assert case.service_level == ServiceLevel.STATUTORY
    assert case.members.filter(user=team.lead, left_on__isnull=True).exists()  # stays, for now
    with pytest.raises(CaseworkError, match="already accepted"):
        transfers.decline_transfer(by=team.social_care_manager, transfer=transfer, note="x")


def test_a_declined_step_up_ends_the_receivers_access_and_changes_nothing_else() -> None:
    team = team_around_family()
    transfer = transfers.request_transfer(
        by=team.lead,
        case=team.case,
        direction="step_up",
        to_agency=team.social_care,
        reason="Worried about neglect.",
    )
    transfers.decline_transfer(
        by=team.social_care_manager, transfer=transfer, note="Below threshold; continue early help."
    )
    case = FamilyCase.objects.get(pk=team.case.pk)
    assert case.lead == team.lead
    assert visible_families(team.social_care_manager, "safeguarding") == set()


def test_step_down_only_applies_to_statutory_cases() -> None:
    team = team_around_family()
    with pytest.raises(CaseworkError, match="does not apply"):
        transfers.request_transfer(
            by=team.lead,
            case=team.case,
            direction="step_down",
            to_agency=team.family.early_help,
            reason="x",
        )
