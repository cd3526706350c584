"""The referral clock tick: reminders, escalation to the receiving team managers, expiry.

A plain function over the database, run by ``wraparound referrals-tick`` (cron, or the job
queue when there is one) and safe to run as often as you like: each step happens once per
clock, recorded on the referral. It never accepts or declines a referral; a referral no one
decides expires, and the sender is told to look elsewhere.

While information is requested, the clock is the sender's: reminders go to the sender,
escalation to the sending agency's team managers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from wraparound.referrals.models import ClockStage, Referral, State
from wraparound.referrals.services import (
    RELATIONSHIP,
    _audit,
    _end,
    _locked,
    _notify,
    _save,
    _sender_side,
    front_door,
)


@dataclass
class TickResult:
    reminded: int = 0
    escalated: int = 0
    expired: int = 0

    def describe(self) -> str:
        return f"{self.reminded} reminded, {self.escalated} escalated, {self.expired} expired"


def _waiting_on_receiver(referral: Referral) -> bool:
    return referral.state == State.SENT


def _remind(referral: Referral, now: dt.datetime) -> None:
    referral.reminded_at, referral.clock_stage = now, ClockStage.REMINDED
    due = f"{timezone.localtime(referral.due_at):%-d %B %Y}"
    if _waiting_on_receiver(referral):
        people, what = front_door(referral.to_agency_id), f"a decision is due today ({due})"
    else:
        people, what = (
            [referral.sent_by],
            f"{referral.to_agency.name} is waiting for your answer (due {due})",
        )
    _save(referral)
    _audit(referral, None, "reminder sent")
    _notify(referral, people, "referral_reminder", what)


def _escalate(referral: Referral, now: dt.datetime) -> None:
    referral.escalated_at, referral.clock_stage = now, ClockStage.ESCALATED
    agency = referral.to_agency_id if _waiting_on_receiver(referral) else referral.from_agency_id
    _save(referral)
    _audit(referral, None, "overdue: escalated to the team managers")
    _notify(
        referral,
        front_door(agency, managers_only=True),
        "referral_escalated",
        "overdue: no decision yet"
        if _waiting_on_receiver(referral)
        else "overdue: waiting for information",
        f"It will expire on {timezone.localtime(referral.expires_at):%-d %B %Y} if nothing is done.",
    )


def _expire(referral: Referral, now: dt.datetime) -> None:
    waited_for_sender = not _waiting_on_receiver(referral)
    referral.expire(by=None, at=now, description="expired without a decision")
    _end(referral.pending_relationship, None, now)
    _save(referral, now)
    _audit(referral, None, "expired without a decision (never accepted automatically)")
    _notify(
        referral,
        [*_sender_side(referral), *front_door(referral.to_agency_id, managers_only=True)],
        "referral_expired",
        "expired without a decision",
        "The information asked for was not given in time. Refer again with it, or elsewhere."
        if waited_for_sender
        else "Nobody decided in time. Refer again, or to another service.",
    )


def tick(*, now: dt.datetime | None = None) -> TickResult:
    """Move every open referral's clock on to ``now``; one transaction per referral."""
    now = now or timezone.now()
    result = TickResult()
    open_ids = Referral.objects.filter(
        state__in=[State.SENT, State.INFORMATION_REQUESTED], due_at__isnull=False
    ).values_list("pk", flat=True)
    for pk in list(open_ids):
        with transaction.atomic():
            referral = _locked(Referral(pk=pk))
            if referral.state not in (State.SENT, State.INFORMATION_REQUESTED):
                continue  # decided while we were looking
            from wraparound.referrals.rules import clock_for

            clock = clock_for(
                referral.urgency, referral.clock_started_at or referral.sent_at or now
            )
            if now >= clock.expires_at:
                _expire(referral, now)
                result.expired += 1
            elif now > clock.due_at and referral.escalated_at is None:
                _escalate(referral, now)
                result.escalated += 1
            elif now >= clock.remind_at and referral.reminded_at is None and now <= clock.due_at:
                _remind(referral, now)
                result.reminded += 1
    return result


__all__ = ["RELATIONSHIP", "TickResult", "tick"]
