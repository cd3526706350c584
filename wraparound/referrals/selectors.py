"""Reads of referrals: the front-door queue, a person's tasks, and the family chronology.

Lists show what a referral is (reference, agencies, urgency, needs, clock) and never its
reason or the children: those are read on the detail page through the sharing gate. Listing
is audited like ``gate.list_families`` (how many, not who). The chronology goes through the
gate, keyed by the sending agency and its service category, so the agreements decide who
sees that a referral was made, exactly as for any other agency record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django_fsm_log.models import StateLog

from wraparound.referrals.models import OPEN_STATES, Referral, State
from wraparound.referrals.rules import REFERRING_ROLES
from wraparound.sharing import audit, gate
from wraparound.sharing.catalogues import primary_category_for_kind
from wraparound.sharing.models import AuditAction, AuditOutcome


def _base() -> QuerySet[Referral]:
    return Referral.objects.select_related("from_agency", "to_agency", "sent_by", "to_service")


def _audit_listing(user: Any, what: str, count: int, request_id: str | None) -> None:
    audit.record_access(
        user=user,
        action=AuditAction.SEARCH,
        outcome=AuditOutcome.PERMIT,
        reason=f"Listed {count} referral{'s' if count != 1 else ''}: {what}",
        request_id=request_id,
    )


# --- the front door -------------------------------------------------------------------------

QUEUES = {
    "to-decide": ("To decide", Q(state=State.SENT)),
    "waiting": ("Waiting for information", Q(state=State.INFORMATION_REQUESTED)),
    "accepted": ("Accepted, open", Q(state=State.ACCEPTED)),
    "finished": (
        "Declined, withdrawn, expired or closed",
        ~Q(state__in=[*OPEN_STATES, State.ACCEPTED, State.DRAFT]),
    ),
}


@dataclass(frozen=True)
class QueueRow:
    referral: Referral
    overdue: bool
    needs: list[str]


def front_door_queue(
    *,
    user: Any,
    queue: str = "to-decide",
    request_id: str | None = None,
    now: dt.datetime | None = None,
) -> list[QueueRow]:
    """Referrals to the user's agency in one queue; most urgent and soonest due first."""
    from wraparound.directory.vocabulary import outcome_labels

    if getattr(user, "role", None) not in REFERRING_ROLES or not user.agency_id:
        return []
    label, where = QUEUES.get(queue, QUEUES["to-decide"])
    # Waiting queues: urgent first ("urgent" sorts after "standard", hence descending).
    now = now or timezone.now()
    rows = list(
        _base()
        .filter(where, to_agency_id=user.agency_id)
        .order_by("-urgency" if queue in ("to-decide", "waiting") else "-sent_at", "due_at", "id")[
            :500
        ]
    )
    _audit_listing(user, f"front door, {label.lower()}", len(rows), request_id)
    labels = outcome_labels()
    return [QueueRow(r, r.overdue(now), [labels.get(n, n) for n in r.needs]) for r in rows]


def queue_counts(*, user: Any) -> dict[str, int]:
    if getattr(user, "role", None) not in REFERRING_ROLES or not user.agency_id:
        return {}
    base = Referral.objects.filter(to_agency_id=user.agency_id)
    return {key: base.filter(where).count() for key, (_, where) in QUEUES.items()}


def sent_by_my_agency(*, user: Any, request_id: str | None = None) -> list[Referral]:
    """Referrals the user sent (a team manager: everyone in their agency sent), newest first."""
    if getattr(user, "role", None) not in REFERRING_ROLES or not user.agency_id:
        return []
    mine = Q(from_agency_id=user.agency_id)
    if user.role != "team_manager":
        mine &= Q(sent_by=user)
    rows = list(_base().filter(mine).exclude(state=State.DRAFT)[:200])
    _audit_listing(user, "referrals sent", len(rows), request_id)
    return rows


# --- tasks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralTask:
    """One thing to do about a referral, for "my tasks" (casework merges these with its own)."""

    kind: str  # decide_referral | answer_information_request | overdue_referral
    title: str
    reference: str
    family_public_id: str
    due_at: dt.datetime | None
    overdue: bool
    url: str
    urgent: bool


def tasks_for(user: Any, *, now: dt.datetime | None = None) -> list[ReferralTask]:
    """Referrals waiting on this user: to decide (their agency's front door), information
    they were asked for, and, for team managers, overdue referrals escalated to them."""
    if getattr(user, "role", None) not in REFERRING_ROLES or not user.agency_id:
        return []
    now = now or timezone.now()
    tasks: list[ReferralTask] = []

    def add(referral: Referral, kind: str, title: str) -> None:
        tasks.append(
            ReferralTask(
                kind=kind,
                title=title,
                reference=str(referral.reference),
                family_public_id=referral.family_public_id,
                due_at=referral.due_at,
                overdue=referral.overdue(now),
                url=reverse("referrals:detail", kwargs={"reference": referral.reference}),
                urgent=referral.urgency == "urgent",
            )
        )

    for r in _base().filter(to_agency_id=user.agency_id, state=State.SENT):
        if r.overdue(now) and user.role == "team_manager":
            add(
                r,
                "overdue_referral",
                f"Overdue: decide referral {r.reference} from {r.from_agency.name}",
            )
        else:
            add(r, "decide_referral", f"Decide referral {r.reference} from {r.from_agency.name}")
    asked = _base().filter(state=State.INFORMATION_REQUESTED, from_agency_id=user.agency_id)
    if user.role != "team_manager":
        asked = asked.filter(sent_by=user)
    for r in asked:
        add(
            r,
            "answer_information_request",
            f"{r.to_agency.name} asks for more about referral {r.reference}",
        )
    return sorted(tasks, key=lambda t: (not t.urgent, t.due_at or now, t.reference))


# --- the family chronology ------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralEvent:
    """One line for the family chronology: a referral transition or clock step."""

    at: dt.datetime
    date: dt.date
    label: str
    agency: str
    detail: str
    reference: str
    url: str
    agency_id: int
    category: str


_LABELS = {
    "send": "Referral sent",
    "request_information": "More information requested",
    "provide_information": "Information provided",
    "accept": "Referral accepted",
    "decline": "Referral declined",
    "withdraw": "Referral withdrawn",
    "expire": "Referral expired without a decision",
    "close": "Referral closed",
}


def chronology_sources(family_public_id: str) -> list[ReferralEvent]:
    """Every referral event for a family, unfiltered, each keyed (agency_id, category).

    For the family page to pass through *its* single ``gate.read`` with its other items
    (``key=lambda e: (e.agency_id, e.category)``), so the page stays one audited read.
    """
    referrals = {r.pk: r for r in _base().filter(family_public_id=family_public_id)}
    if not referrals:
        return []
    logs = StateLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Referral), object_id__in=list(referrals)
    ).order_by("timestamp", "id")
    events = []
    for log in logs:
        r = referrals[log.object_id]
        detail = f"{r.from_agency.name} to {r.receiver_name}"
        if log.description and log.transition != "send":
            detail += f": {log.description}"
        events.append(_event(r, log.timestamp, _LABELS.get(log.transition, log.transition), detail))
    for r in referrals.values():
        if r.reminded_at:
            events.append(
                _event(
                    r,
                    r.reminded_at,
                    "Referral reminder sent",
                    f"Decision due for {r.receiver_name}",
                )
            )
        if r.escalated_at:
            events.append(
                _event(
                    r,
                    r.escalated_at,
                    "Referral overdue: escalated",
                    f"To {r.receiver_name}'s team managers",
                )
            )
    return sorted(events, key=lambda e: e.at, reverse=True)


def _event(r: Referral, at: dt.datetime, label: str, detail: str) -> ReferralEvent:
    return ReferralEvent(
        at=at,
        date=timezone.localdate(at),
        label=label,
        agency=r.from_agency.name,
        detail=detail,
        reference=str(r.reference),
        url=reverse("referrals:detail", kwargs={"reference": r.reference}),
        agency_id=r.from_agency_id,
        category=primary_category_for_kind(r.from_agency.kind),
    )


def chronology_for_family(
    *, user: Any, family_public_id: str, purpose: str, request_id: str | None = None
) -> list[ReferralEvent]:
    """The referral events ``user`` may see for ``purpose``, newest first (one audited read)."""
    filtered = gate.read(
        user=user,
        family_public_id=family_public_id,
        purpose=purpose,
        items=chronology_sources(family_public_id),
        request_id=request_id,
        key=lambda e: (e.agency_id, e.category),
    )
    return filtered.visible_items


__all__ = [
    "QUEUES",
    "QueueRow",
    "ReferralEvent",
    "ReferralTask",
    "chronology_for_family",
    "chronology_sources",
    "front_door_queue",
    "queue_counts",
    "sent_by_my_agency",
    "tasks_for",
]


def accepted_referral_starts(service_id: Any) -> Any:
    """(family_public_id, start_date) for referrals a directory service accepted: the
    evaluation pipeline's treatment source (aggregate use only, released through the gate)."""
    import polars as pl

    rows = Referral.objects.filter(
        to_service_id=service_id, state__in=[State.ACCEPTED, State.CLOSED], decided_at__isnull=False
    ).values_list("family_public_id", "decided_at")
    return pl.DataFrame(
        [(family, timezone.localdate(decided)) for family, decided in rows],
        schema={"family_public_id": pl.String, "start_date": pl.Date},
        orient="row",
    )
