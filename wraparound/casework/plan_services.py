"""Writes on the early help assessment and the family plan.

The assessment moves draft -> completed -> signed off (by a team manager of its agency),
with a 45-working-day clock from its start: completing it late needs a recorded reason.
The plan's actions are SMART, each tied to a need (an outcome area), owned by a team
member; owners update their own actions. Every plan change bumps the plan's version and
keeps a snapshot (``PlanVersion``), so what the plan said at any time can be shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from wraparound.casework import notices
from wraparound.casework import permissions as may
from wraparound.casework.catalogues import outcome_areas
from wraparound.casework.concurrency import CaseworkError, save_if_current
from wraparound.casework.models import (
    ActionStatus,
    Assessment,
    AssessmentArea,
    AssessmentStatus,
    FamilyCase,
    FamilyPlan,
    PlanAction,
    PlanVersion,
    ReviewMeeting,
)
from wraparound.casework.services import record
from wraparound.core import working_days

ASSESSMENT_WORKING_DAYS = 45
MIN_ACTION_WORDS = 4


@dataclass(frozen=True)
class AreaAnswers:
    """What the assessment says about one outcome area."""

    worries: str = ""
    working_well: str = ""
    needs_to_happen: str = ""
    is_need: bool = False

    @property
    def is_blank(self) -> bool:
        return not (self.worries or self.working_well or self.needs_to_happen or self.is_need)


# --- assessment -----------------------------------------------------------------------------


def current_assessment(case: FamilyCase) -> Assessment | None:
    return Assessment.objects.filter(case=case).order_by("-started_on", "-pk").first()


@transaction.atomic
def start_assessment(
    *, by: Any, case: FamilyCase, started_on: dt.date | None = None, request_id: str = ""
) -> Assessment:
    """Start the family's one shared assessment; the 45-working-day clock starts too."""
    may.require_open(case)
    may.require_team(by, case)
    if Assessment.objects.filter(case=case).exclude(status=AssessmentStatus.SIGNED_OFF).exists():
        raise CaseworkError("An assessment is already in progress for this family: continue it.")
    start = started_on or timezone.localdate()
    assessment = Assessment.objects.create(
        case=case,
        agency=by.agency,
        author=by,
        started_on=start,
        due_on=working_days.add_working_days(start, ASSESSMENT_WORKING_DAYS),
        updated_by=by,
    )
    record(
        by, case, f"Early help assessment started (due {assessment.due_on:%-d %B %Y})", request_id
    )
    return assessment


@transaction.atomic
def save_assessment(
    *,
    by: Any,
    assessment: Assessment,
    expected_version: int,
    areas: dict[str, AreaAnswers],
    child_words: str,
    parents_words: str,
    consent_given_by: str = "",
    request_id: str = "",
) -> Assessment:
    """Save a draft: the areas given replace what the draft said about them."""
    may.require_team(by, assessment.case)
    if assessment.status != AssessmentStatus.DRAFT:
        raise CaseworkError("Only a draft assessment can be changed.")
    known = outcome_areas()
    unknown = sorted(set(areas) - set(known))
    if unknown:
        raise CaseworkError(f"Unknown outcome areas: {', '.join(unknown)}.")
    save_if_current(
        assessment,
        expected_version=expected_version,
        by=by,
        changes={
            "child_words": child_words.strip(),
            "parents_words": parents_words.strip(),
            "consent_given_by": consent_given_by.strip(),
        },
        label="This assessment",
        labels={"child_words": "the child's words", "parents_words": "the parents' words"},
    )
    for outcome, answers in areas.items():
        if answers.is_blank:
            AssessmentArea.objects.filter(assessment=assessment, outcome=outcome).delete()
            continue
        AssessmentArea.objects.update_or_create(
            assessment=assessment,
            outcome=outcome,
            defaults={
                "worries": answers.worries.strip(),
                "working_well": answers.working_well.strip(),
                "needs_to_happen": answers.needs_to_happen.strip(),
                "is_need": answers.is_need,
            },
        )
    record(by, assessment.case, "Early help assessment saved", request_id)
    return assessment


@transaction.atomic
def complete_assessment(
    *,
    by: Any,
    assessment: Assessment,
    expected_version: int,
    late_reason: str = "",
    on: dt.date | None = None,
    request_id: str = "",
) -> Assessment:
    """Mark the draft complete; after the 45th working day a reason for lateness is required."""
    may.require_team(by, assessment.case)
    if assessment.status != AssessmentStatus.DRAFT:
        raise CaseworkError("Only a draft assessment can be completed.")
    if not assessment.areas.exists():
        raise CaseworkError("Record at least one outcome area before completing the assessment.")
    if not (assessment.child_words or assessment.parents_words):
        raise CaseworkError("Record the child's or the parents' own words before completing.")
    today = on or timezone.localdate()
    late = today > assessment.due_on
    if late and not late_reason.strip():
        raise CaseworkError(
            f"The assessment was due on {assessment.due_on:%-d %B %Y} (45 working days): "
            "record why it is late."
        )
    save_if_current(
        assessment,
        expected_version=expected_version,
        by=by,
        changes={
            "status": AssessmentStatus.COMPLETED,
            "completed_on": today,
            "late_reason": late_reason.strip() if late else "",
        },
        label="This assessment",
    )
    record(
        by,
        assessment.case,
        "Early help assessment completed" + (" (late)" if late else ""),
        request_id,
    )
    return assessment


@transaction.atomic
def sign_off_assessment(
    *, by: Any, assessment: Assessment, expected_version: int, request_id: str = ""
) -> Assessment:
    """A team manager of the assessing agency, other than its author, signs it off."""
    if not may.manages(by, assessment.agency_id):
        raise CaseworkError("Only a team manager of the assessing agency can sign it off.")
    if by.pk == assessment.author_id:
        raise CaseworkError("Another manager must sign off an assessment you wrote.")
    if assessment.status != AssessmentStatus.COMPLETED:
        raise CaseworkError("Only a completed assessment can be signed off.")
    save_if_current(
        assessment,
        expected_version=expected_version,
        by=by,
        changes={
            "status": AssessmentStatus.SIGNED_OFF,
            "signed_off_by": by,
            "signed_off_at": timezone.now(),
        },
        label="This assessment",
    )
    record(by, assessment.case, "Early help assessment signed off", request_id)
    return assessment


def is_late(assessment: Assessment, today: dt.date | None = None) -> bool:
    """Running past its 45th working day without being completed."""
    return (
        assessment.status == AssessmentStatus.DRAFT
        and (today or timezone.localdate()) > assessment.due_on
    )


# --- plan -----------------------------------------------------------------------------------


def snapshot(plan: FamilyPlan) -> dict[str, Any]:
    """The whole plan as plain data, for its version history and the transfer pack."""
    return {
        "version": plan.version,
        "actions": [
            {
                "id": a.pk,
                "outcome": a.outcome,
                "description": a.description,
                "owner": str(a.owner),
                "owner_agency": a.owner_agency.name,
                "due_on": a.due_on.isoformat(),
                "status": a.status,
                "progress_note": a.progress_note,
            }
            for a in plan.actions.select_related("owner", "owner_agency").order_by("pk")
        ],
        "reviews": [
            {
                "held_on": r.held_on.isoformat(),
                "attendees": r.attendees,
                "decisions": r.decisions,
                "next_review_on": r.next_review_on.isoformat(),
            }
            for r in plan.plan_reviews.order_by("held_on", "pk")
        ],
    }


def _new_version(by: Any, plan: FamilyPlan, change: str) -> None:
    """Bump the plan's version and keep a snapshot; the row lock orders concurrent changes."""
    locked = FamilyPlan.objects.select_for_update().get(pk=plan.pk)
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save(update_fields=["version", "updated_at"])
    plan.version, plan.updated_at = locked.version, locked.updated_at
    PlanVersion.objects.create(
        plan=locked,
        number=locked.version,
        change=change[:300],
        snapshot=snapshot(locked),
        recorded_by=by,
    )


def _plan_for(by: Any, case: FamilyCase) -> FamilyPlan:
    plan, created = FamilyPlan.objects.get_or_create(
        case=case, defaults={"agency": case.lead_agency}
    )
    if created:
        PlanVersion.objects.create(
            plan=plan, number=1, change="Plan started", snapshot=snapshot(plan), recorded_by=by
        )
    return plan


def _check_action_text(description: str, due_on: dt.date) -> None:
    if len(description.split()) < MIN_ACTION_WORDS:
        raise CaseworkError(
            "Describe the action so anyone can tell when it is done: who does what, by when "
            f"(at least {MIN_ACTION_WORDS} words)."
        )
    if not isinstance(due_on, dt.date):
        raise CaseworkError("Give the date the action is due.")


@transaction.atomic
def add_action(
    *,
    by: Any,
    case: FamilyCase,
    outcome: str,
    description: str,
    owner: Any,
    due_on: dt.date,
    request_id: str = "",
) -> PlanAction:
    """Add a SMART action for one need, owned by a current member of the team."""
    may.require_open(case)
    may.require_team(by, case)
    if outcome not in outcome_areas():
        raise CaseworkError("Link the action to one of the family's needs (an outcome area).")
    _check_action_text(description, due_on)
    if not may.is_member(owner, case):
        raise CaseworkError(f"{owner} is not in the team around this family: add them first.")
    plan = _plan_for(by, case)
    action = PlanAction.objects.create(
        plan=plan,
        outcome=outcome,
        description=description.strip(),
        owner=owner,
        owner_agency=owner.agency,
        due_on=due_on,
        updated_by=by,
    )
    _new_version(by, plan, f"Action added for {outcome_areas()[outcome]}: {action.description}")
    record(by, case, f"Plan action added, owned by {owner}", request_id)
    notices.action_assigned(by=by, case=case, owner=owner, due_on=due_on)
    return action


@transaction.atomic
def update_action(
    *,
    by: Any,
    action: PlanAction,
    expected_version: int,
    status: str,
    progress_note: str,
    due_on: dt.date | None = None,
    request_id: str = "",
) -> PlanAction:
    """The owner (or the lead) records progress; a stale form is refused, showing what changed."""
    case = action.plan.case
    may.require_open(case)
    if by.pk not in (action.owner_id, case.lead_id):
        raise CaseworkError("Only the action's owner or the lead practitioner can update it.")
    if status not in ActionStatus.values:
        raise CaseworkError("Choose the action's status from the list.")
    changes: dict[str, Any] = {"status": status, "progress_note": progress_note.strip()}
    if due_on is not None:
        changes["due_on"] = due_on
    save_if_current(
        action,
        expected_version=expected_version,
        by=by,
        changes=changes,
        label=f"The action '{action.description[:60]}'",
        labels={"progress_note": "progress note", "due_on": "due date"},
    )
    _new_version(by, action.plan, f"Action {action.pk} now {action.get_status_display().lower()}")
    record(by, case, f"Plan action {action.pk} updated", request_id)
    return action


@transaction.atomic
def record_review(
    *,
    by: Any,
    case: FamilyCase,
    held_on: dt.date,
    attendees: str,
    decisions: str,
    next_review_on: dt.date,
    request_id: str = "",
) -> ReviewMeeting:
    """A team-around-the-family review meeting and the date of the next one."""
    may.require_open(case)
    may.require_team(by, case)
    if held_on > timezone.localdate():
        raise CaseworkError("Record a review once it has been held.")
    if next_review_on <= held_on:
        raise CaseworkError("The next review must come after this one.")
    if not attendees.strip() or not decisions.strip():
        raise CaseworkError("Record who attended and what was decided.")
    plan = _plan_for(by, case)
    review = ReviewMeeting.objects.create(
        plan=plan,
        held_on=held_on,
        attendees=attendees.strip(),
        decisions=decisions.strip(),
        next_review_on=next_review_on,
        recorded_by=by,
    )
    _new_version(by, plan, f"Review held on {held_on:%-d %B %Y}")
    record(
        by,
        case,
        f"Team around the family review recorded (next {next_review_on:%-d %B %Y})",
        request_id,
    )
    return review


def identified_needs(case: FamilyCase) -> set[str]:
    """Outcome areas the latest assessment marks as needs."""
    assessment = current_assessment(case)
    if assessment is None:
        return set()
    return set(assessment.areas.filter(is_need=True).values_list("outcome", flat=True))


def needs_without_action(case: FamilyCase) -> list[str]:
    """Identified needs that no live action answers: the plan is complete when this is empty."""
    covered: set[str] = set()
    plan = FamilyPlan.objects.filter(case=case).first()
    if plan is not None:
        covered = set(
            plan.actions.exclude(status=ActionStatus.DROPPED).values_list("outcome", flat=True)
        )
    return sorted(identified_needs(case) - covered)


def plan_is_complete(case: FamilyCase) -> bool:
    """Complete only when there are identified needs and every one has an action."""
    return bool(identified_needs(case)) and not needs_without_action(case)
