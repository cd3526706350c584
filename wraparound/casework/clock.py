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
from dataclasses import dataclass
from typing import Any

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


def _once(kind: str, ref: str, recipients: list[Any], **notice: Any) -> bool:
    """Tell ``recipients`` (in the reminder's own transaction) unless this clock already has."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(kind=kind, ref=ref)
            tell(recipients, kind=f"casework_{kind}", **notice)
    except IntegrityError:  # already sent, by an earlier tick or one running beside us
        return False
    return True


def _overdue_actions(today: dt.date) -> int:
    actions = PlanAction.objects.filter(
        status__in=OPEN_ACTION_STATUSES, due_on__lt=today, plan__case__status=CaseStatus.OPEN
    ).select_related("plan__case__lead", "owner")
    sent = 0
    for action in actions:
        family = action.plan.case.family_public_id
        sent += _once(
            "action_overdue",
            f"action:{action.pk}:{action.due_on}",
            [action.owner, action.plan.case.lead],
            family_public_id=family,
            subject=f"a plan action was due on {action.due_on:%-d %B %Y}",
            body="It is still open. Update it with its progress, or agree a new date.",
            link=reverse(
                "casework:action-edit",
                kwargs={"family_public_id": family, "action_id": action.pk},
            ),
        )
    return sent


def _late_assessments(today: dt.date) -> int:
    late = Assessment.objects.filter(
        status=AssessmentStatus.DRAFT, due_on__lt=today, case__status=CaseStatus.OPEN
    ).select_related("case__lead")
    sent = 0
    for assessment in late:
        family = assessment.case.family_public_id
        sent += _once(
            "assessment_late",
            f"assessment:{assessment.pk}:{assessment.due_on}",
            [assessment.case.lead, *managers_of(assessment.agency_id)],
            family_public_id=family,
            subject=f"the early help assessment is running late (due {assessment.due_on:%-d %B %Y})",
            body="Completing it now needs a recorded reason for the delay.",
            link=reverse("casework:assessment", kwargs={"family_public_id": family}),
        )
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
        family = review.plan.case.family_public_id
        sent += _once(
            "review_due",
            f"review:{review.pk}:{review.next_review_on}",
            [review.plan.case.lead],
            family_public_id=family,
            subject=f"team around the family review due on {review.next_review_on:%-d %B %Y}",
            body="Invite the team and the family, then record the review.",
            link=reverse("casework:review-new", kwargs={"family_public_id": family}),
        )
    return sent


def tick(*, now: dt.datetime | None = None) -> TickResult:
    """Tell people about everything that has come due by ``now``, once each."""
    today = timezone.localdate(now or timezone.now())
    return TickResult(
        actions_overdue=_overdue_actions(today),
        assessments_late=_late_assessments(today),
        reviews_due=_reviews_due(today),
    )
