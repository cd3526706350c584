"""The casework clock tick: overdue plan actions, late assessments and reviews coming due.

A plain function over the database, run by ``wraparound casework-tick`` (cron, beside
``referrals-tick``) and safe to run as often as you like: each reminder is sent once per
clock, recorded in ``ReminderSent`` (a database constraint makes "once" hold even when two
ticks race). It changes no casework record: it only tells people what is due.

- An open action past its due date: its owner and the lead practitioner.
- A draft assessment past its 45th working day: the lead, and the assessing agency's team
  managers (they sign assessments off).
- A review due within ``REVIEW_NOTICE_WORKING_DAYS`` working days (or overdue): the lead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from wraparound.casework.models import (
    Assessment,
    AssessmentStatus,
    CaseStatus,
    PlanAction,
    ReminderSent,
    ReviewMeeting,
)
from wraparound.casework.notices import managers_of, tell
from wraparound.casework.plan_models import OPEN_ACTION_STATUSES
from wraparound.core import working_days

REVIEW_NOTICE_WORKING_DAYS = 5


@dataclass
class TickResult:
    actions_overdue: int = 0
    assessments_late: int = 0
    reviews_due: int = 0

    def describe(self) -> str:
        return (
            f"{self.actions_overdue} overdue actions, {self.assessments_late} late assessments, "
            f"{self.reviews_due} reviews due: people told"
        )


def _once(kind: str, ref: str, send: Callable[[], None]) -> bool:
    """Send (in the reminder's own transaction) unless this clock has already sent it."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(kind=kind, ref=ref)
            send()
    except IntegrityError:  # already sent, by an earlier tick or one running beside us
        return False
    return True


def _overdue_actions(today: dt.date) -> int:
    sent = 0
    actions = PlanAction.objects.filter(
        status__in=OPEN_ACTION_STATUSES, due_on__lt=today, plan__case__status=CaseStatus.OPEN
    ).select_related("plan__case__lead", "owner")
    for action in actions:
        case = action.plan.case

        def send(action: PlanAction = action) -> None:
            tell(
                [action.owner, case.lead],
                kind="casework_action_overdue",
                family_public_id=case.family_public_id,
                subject=f"a plan action was due on {action.due_on:%-d %B %Y}",
                body="It is still open. Update it with its progress, or agree a new date.",
                link=reverse(
                    "casework:action-edit",
                    kwargs={"family_public_id": case.family_public_id, "action_id": action.pk},
                ),
            )

        sent += _once("action_overdue", f"action:{action.pk}:{action.due_on}", send)
    return sent


def _late_assessments(today: dt.date) -> int:
    sent = 0
    late = Assessment.objects.filter(
        status=AssessmentStatus.DRAFT, due_on__lt=today, case__status=CaseStatus.OPEN
    ).select_related("case__lead")
    for assessment in late:
        case = assessment.case

        def send(assessment: Assessment = assessment) -> None:
            tell(
                [case.lead, *managers_of(assessment.agency_id)],
                kind="casework_assessment_late",
                family_public_id=case.family_public_id,
                subject=f"the early help assessment is running late (due {assessment.due_on:%-d %B %Y})",
                body="Completing it now needs a recorded reason for the delay.",
                link=reverse(
                    "casework:assessment", kwargs={"family_public_id": case.family_public_id}
                ),
            )

        sent += _once("assessment_late", f"assessment:{assessment.pk}:{assessment.due_on}", send)
    return sent


def _reviews_due(today: dt.date) -> int:
    horizon = working_days.add_working_days(today, REVIEW_NOTICE_WORKING_DAYS)
    latest: dict[int, ReviewMeeting] = {}
    reviews = ReviewMeeting.objects.filter(plan__case__status=CaseStatus.OPEN).order_by(
        "held_on", "pk"
    )
    for review in reviews.select_related("plan__case__lead"):
        latest[review.plan.case_id] = review  # only the latest review sets the next date
    sent = 0
    for review in latest.values():
        if review.next_review_on > horizon:
            continue
        case = review.plan.case

        def send(review: ReviewMeeting = review) -> None:
            when = f"{review.next_review_on:%-d %B %Y}"
            tell(
                [case.lead],
                kind="casework_review_due",
                family_public_id=case.family_public_id,
                subject=f"team around the family review due on {when}",
                body="Invite the team and the family, then record the review.",
                link=reverse(
                    "casework:review-new", kwargs={"family_public_id": case.family_public_id}
                ),
            )

        sent += _once("review_due", f"review:{review.pk}:{review.next_review_on}", send)
    return sent


def tick(*, now: dt.datetime | None = None) -> TickResult:
    """Tell people about everything that has come due by ``now``, once each."""
    today = timezone.localdate(now or timezone.now())
    return TickResult(
        actions_overdue=_overdue_actions(today),
        assessments_late=_late_assessments(today),
        reviews_due=_reviews_due(today),
    )
