"""Referral actions: each checks who may act, changes the referral through its state machine,
writes the sharing-audit entry and the notifications in one transaction (one action, one place).

Sending discloses information to another agency, so it is audited as a disclosure and gives
the receiving agency a *pending* "referral to the agency" relationship: the front door needs
to know who the family is to decide. Accepting ends that and starts the receiving relationship
for the referral's purpose; declining, withdrawing, expiry and closing end whichever is open.
A refused action is audited as a denial (outside the rolled-back transaction) and raised.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from django_fsm_log.models import StateLog

from wraparound.core.models import Role, User
from wraparound.notifications.services import notify
from wraparound.referrals.catalogues import reasons
from wraparound.referrals.models import ConsentBasis, Referral
from wraparound.referrals.rules import (
    REFERRING_ROLES,
    ReferralConflictError,
    ReferralDraft,
    ReferralError,
    ReferralInvalidError,
    check_draft,
    clock_for,
    individual_purposes,
)
from wraparound.sharing import audit
from wraparound.sharing import services as sharing
from wraparound.sharing.models import AuditAction, AuditOutcome, CareRelationship, RelationshipKind
from wraparound.sharing.policy import decide
from wraparound.sharing.services import SharingError

P = ParamSpec("P")
T = TypeVar("T")
RELATIONSHIP = RelationshipKind.REFERRAL_TO_AGENCY
DEFAULT_PURPOSE = "early_help_coordination"
VERBS_PAST = {"withdraw": "withdrawn", "close": "closed"}
VERBS = {
    "accept": "accept it",
    "decline": "decline it",
    "request_information": "ask for more information",
    "provide_information": "send more information",
    "withdraw": "withdraw it",
    "close": "close it",
}


# --- helpers --------------------------------------------------------------------------------


@contextmanager
def _as_referral_error(field: str = "") -> Iterator[None]:
    """A sharing action refused inside a referral action: the referral action is refused too
    (its transaction rolls back), with sharing's reason, never a 500."""
    try:
        yield
    except SharingError as error:
        if field:
            raise ReferralInvalidError({field: str(error)}) from error
        raise ReferralError(str(error)) from error


def _add_relationship(referral: Referral, by: Any, at: dt.datetime) -> CareRelationship:
    """The receiving agency's relationship, held for the referral's purpose.

    ``purpose=`` is passed when ``sharing.services.add_relationship`` takes it (issue 11 adds it).
    """
    kwargs: dict[str, Any] = {
        "family_public_id": referral.family_public_id,
        "kind": RELATIONSHIP,
        "agency": referral.to_agency,
        "by": by,
        "started_at": at,
    }
    if "purpose" in inspect.signature(sharing.add_relationship).parameters:
        kwargs["purpose"] = referral.purpose
    with _as_referral_error("purpose"):
        return sharing.add_relationship(**kwargs)


def _end(relationship: CareRelationship | None, by: Any, at: dt.datetime) -> None:
    if relationship is not None and relationship.ended_at is None:
        with _as_referral_error():
            sharing.end_relationship(relationship=relationship, by=by, ended_at=at)


def _audit(
    referral: Referral, by: Any, what: str, *, action: str = AuditAction.AMEND, request_id: str = ""
) -> None:
    audit.record_access(
        user=by,
        action=action,
        outcome=AuditOutcome.PERMIT,
        purpose=referral.purpose,
        family_public_id=referral.family_public_id,
        relationship=RELATIONSHIP,
        categories=[
            {"provider": referral.from_agency.slug, "category": c, "outcome": "permit"}
            for c in referral.shared_categories
        ]
        if action == AuditAction.DISCLOSE
        else [],
        agreements=_agreement_ref(referral),
        consent_ref=f"consent-{referral.consent_record_id}" if referral.consent_record_id else "",
        no_consent_reason=referral.no_consent_condition,
        reason=f"Referral {referral.reference} to {referral.receiver_name}: {what}",
        request_id=request_id,
    )


class _RefusedError(ReferralError):
    """A refusal to audit once the action's transaction has rolled back."""

    def __init__(self, message: str, entry: dict[str, Any]) -> None:
        super().__init__(message)
        self.entry = entry


def _agreement_ref(referral: Referral) -> list[str]:
    """The agreement and version recorded at sending ("DSA-002 v1"), for the audit entry."""
    found = re.match(r"^(\S+ v\d+)", referral.lawful_basis or "")
    return [found.group(1)] if found and referral.agreement_id else []


def _refuse(by: Any, referral: Referral | None, family: str, message: str, request_id: str) -> None:
    """Refuse the action; ``referral_action`` audits the denial after the rollback."""
    raise _RefusedError(
        message,
        {
            "user": by,
            "action": AuditAction.AMEND,
            "outcome": AuditOutcome.DENY,
            "purpose": referral.purpose if referral else "",
            "family_public_id": family,
            "reason": (f"Referral {referral.reference}: " if referral else "Referral: ") + message,
            "request_id": request_id,
        },
    )


def referral_action(fn: Callable[P, T]) -> Callable[P, T]:
    """Run a referral action in one transaction; a refusal is audited after the rollback
    (so it survives it) and raised as a plain ``ReferralError``."""

    @wraps(fn)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            with transaction.atomic():
                return fn(*args, **kwargs)
        except _RefusedError as refused:
            audit.record_access(**refused.entry)
            raise ReferralError(str(refused)) from refused

    return wrapped


def front_door(agency_id: int, *, managers_only: bool = False) -> list[User]:
    """The people who decide referrals to an agency: its practitioners and team managers."""
    roles = [Role.TEAM_MANAGER] if managers_only else list(REFERRING_ROLES)
    return list(User.objects.filter(agency_id=agency_id, role__in=roles, is_active=True))


def _sender_side(referral: Referral) -> list[User]:
    managers = front_door(referral.from_agency_id, managers_only=True)
    return [referral.sent_by, *managers]


def _notify(
    referral: Referral, recipients: list[User], kind: str, subject: str, body: str = ""
) -> None:
    notify(
        recipients=recipients,
        kind=kind,
        subject=f"Referral {referral.reference}: {subject}",
        body=body,
        link=reverse("referrals:detail", kwargs={"reference": referral.reference}),
        family_public_id=referral.family_public_id,
    )


def _locked(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update()
        .select_related("from_agency", "to_agency")
        .get(pk=referral.pk)
    )


def _save(referral: Referral, at: dt.datetime | None = None) -> None:
    """Save, refusing a stale copy; ``at`` dates the transition's state-log row (the clock's
    or the demo's time rather than the moment the row was written)."""
    try:
        referral.save()
    except ConcurrentTransition as error:
        raise ReferralConflictError(
            "Someone else acted on this referral at the same moment: reload it to see what changed."
        ) from error
    if at is not None:
        logs = StateLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Referral), object_id=referral.pk
        )
        latest = logs.order_by("-id").values_list("id", flat=True).first()
        logs.filter(pk=latest).update(timestamp=at)


# --- send -----------------------------------------------------------------------------------


@referral_action
def send_referral(
    *, by: Any, draft: ReferralDraft, request_id: str = "", now: dt.datetime | None = None
) -> Referral:
    """Check, record consent if given, create and send the referral, and tell the front door."""
    if getattr(by, "role", None) not in REFERRING_ROLES or not getattr(by, "agency_id", None):
        raise ReferralError("Only practitioners and team managers of a partner agency refer.")
    family = str(draft.family_public_id or "").strip()
    purpose = draft.purpose if draft.purpose in individual_purposes() else DEFAULT_PURPOSE
    decision = decide(user=by, family_public_id=family, categories=[], purpose=purpose)
    if not decision.has_need_to_know:  # need to know first: say nothing else to a stranger
        _refuse(
            by,
            None,
            family,
            f"You cannot refer family {family}: {decision.need_to_know_reason}",
            request_id,
        )
    checked = check_draft(by=by, draft=draft)  # ReferralInvalidError lists every problem
    now = now or timezone.now()
    with transaction.atomic():
        referral = Referral(
            family_public_id=family,
            children=list(draft.children),
            purpose=draft.purpose,
            from_agency=by.agency,
            sent_by=by,
            to_agency=checked.to_agency,
            to_service=checked.to_service,
            to_service_name=checked.to_service.name if checked.to_service else "",
            reason=draft.reason.strip(),
            needs=list(dict.fromkeys(draft.needs)),
            urgency=draft.urgency,
            consent_basis=draft.consent_basis,
            consent_given_by=draft.consent_given_by.strip(),
            no_consent_condition=draft.no_consent_condition
            if draft.consent_basis == ConsentBasis.WITHOUT_CONSENT
            else "",
            no_consent_reason=draft.no_consent_reason.strip()
            if draft.consent_basis == ConsentBasis.WITHOUT_CONSENT
            else "",
            agreement=checked.agreement,
            lawful_basis=checked.lawful_basis,
            shared_categories=list(dict.fromkeys(draft.shared_categories)),
            suggestion=dict(draft.suggestion),
            created_at=now,
        )
        referral.save()
        referral.reference = f"R-{referral.pk:05d}"
        if draft.consent_basis in (ConsentBasis.GIVEN, ConsentBasis.WITHOUT_CONSENT):
            with _as_referral_error("consent_basis"):
                referral.consent_record = sharing.record_consent(
                    by=by,
                    family_public_id=family,
                    decision="given" if draft.consent_basis == ConsentBasis.GIVEN else "not_sought",
                    agreement=checked.agreement,
                    categories=referral.shared_categories,
                    purposes=[referral.purpose],
                    no_consent_condition=referral.no_consent_condition,
                    given_by=referral.consent_given_by,
                    method=draft.consent_method,
                    notes=referral.no_consent_reason or f"Agreed to referral {referral.reference}.",
                    request_id=request_id,
                )
        referral.send(by=by, at=now)
        _start_clock(referral, now)
        referral.pending_relationship = _add_relationship(referral, by, now)
        _save(referral, now)
        _audit(
            referral,
            by,
            "sent (information disclosed)",
            action=AuditAction.DISCLOSE,
            request_id=request_id,
        )
        urgent = " Urgent: decide within 1 working day." if referral.urgency == "urgent" else ""
        _notify(
            referral,
            front_door(referral.to_agency_id),
            "referral_received",
            f"new referral from {referral.from_agency.name}",
            f"A referral for family {family} needs a decision by "
            f"{timezone.localtime(referral.due_at):%-d %B %Y}.{urgent}",
        )
    return referral


def _start_clock(referral: Referral, at: dt.datetime) -> None:
    clock = clock_for(referral.urgency, at)
    referral.clock_started_at, referral.due_at, referral.expires_at = (
        at,
        clock.due_at,
        clock.expires_at,
    )
    referral.clock_stage, referral.reminded_at, referral.escalated_at = "running", None, None


# --- who may act ----------------------------------------------------------------------------


def may_decide(user: Any, referral: Referral) -> bool:
    """The receiving agency's practitioners and team managers decide (never the sender)."""
    return bool(
        getattr(user, "role", None) in REFERRING_ROLES and user.agency_id == referral.to_agency_id
    )


def may_act_for_sender(user: Any, referral: Referral) -> bool:
    """The person who sent it, or a team manager of the sending agency."""
    if getattr(user, "agency_id", None) != referral.from_agency_id:
        return False
    return user.pk == referral.sent_by_id or user.role == Role.TEAM_MANAGER


def may_view(user: Any, referral: Referral) -> bool:
    return may_decide(user, referral) or (
        getattr(user, "role", None) in REFERRING_ROLES and user.agency_id == referral.from_agency_id
    )


def _transition(
    referral: Referral,
    *,
    by: Any,
    name: str,
    allowed: bool,
    who: str,
    request_id: str,
    now: dt.datetime | None,
    prepare: Callable[[Referral], None] | None = None,
    **details: Any,
) -> Referral:
    """Lock, check who and when, apply one transition and save; the caller adds the rest.

    Every transition goes through here. ``prepare`` sets what the transition's guards read
    (a decline's reason and signpost) on the locked row first.
    """
    if not allowed:
        _refuse(by, referral, referral.family_public_id, f"Only {who} can do that.", request_id)
    locked = _locked(referral)
    if prepare is not None:
        prepare(locked)
    method = getattr(locked, name)
    try:
        method(
            by=by, at=now or timezone.now(), description=details.pop("description", ""), **details
        )
    except TransitionNotAllowed as error:
        verb = VERBS.get(name, name.replace("_", " "))
        raise ReferralConflictError(
            f"Referral {locked.reference} is {locked.get_state_display().lower()}: "
            f"you cannot {verb} now."
        ) from error
    return locked


# --- decisions ------------------------------------------------------------------------------


@referral_action
def accept_referral(
    *,
    by: Any,
    referral: Referral,
    note: str = "",
    request_id: str = "",
    now: dt.datetime | None = None,
) -> Referral:
    now = now or timezone.now()
    r = _transition(
        referral,
        by=by,
        name="accept",
        allowed=may_decide(by, referral),
        who=f"{referral.to_agency.name}'s practitioners and team managers",
        request_id=request_id,
        now=now,
        description=note,
    )
    _end(r.pending_relationship, by, now)
    r.receiving_relationship = _add_relationship(r, by, now)
    r.end_note = note.strip()
    _save(r, now)
    _audit(r, by, "accepted", request_id=request_id)
    _notify(r, _sender_side(r), "referral_accepted", f"accepted by {r.to_agency.name}")
    return r


@referral_action
def decline_referral(
    *,
    by: Any,
    referral: Referral,
    reason_code: str,
    signpost: str,
    signpost_service: Any = None,
    request_id: str = "",
    now: dt.datetime | None = None,
) -> Referral:
    errors = {}
    if reason_code not in reasons().decline:
        errors["decline_reason"] = "Choose why the referral is declined."
    if len(signpost.strip()) < 10:
        errors["signpost"] = (
            "Say where the family should go instead (a service, or who to contact)."
        )
    if errors:
        raise ReferralInvalidError(errors)
    now = now or timezone.now()

    def with_reason(locked: Referral) -> None:
        locked.decline_reason, locked.signpost = reason_code, signpost.strip()
        locked.signpost_service = signpost_service

    r = _transition(
        referral,
        by=by,
        name="decline",
        allowed=may_decide(by, referral),
        who=f"{referral.to_agency.name}'s practitioners and team managers",
        request_id=request_id,
        now=now,
        prepare=with_reason,
        description=reasons().decline[reason_code],
    )
    _end(r.pending_relationship, by, now)
    _save(r, now)
    _audit(r, by, f"declined ({reason_code}); signposted to {r.signpost}", request_id=request_id)
    _notify(
        r,
        _sender_side(r),
        "referral_declined",
        f"declined by {r.to_agency.name}",
        f"Reason: {reasons().decline[reason_code]}. Signpost: {r.signpost}",
    )
    return r


@referral_action
def request_information(
    *,
    by: Any,
    referral: Referral,
    question: str,
    request_id: str = "",
    now: dt.datetime | None = None,
) -> Referral:
    if len(question.strip()) < 10:
        raise ReferralInvalidError({"question": "Say what information you need to decide."})
    now = now or timezone.now()
    r = _transition(
        referral,
        by=by,
        name="request_information",
        allowed=may_decide(by, referral),
        who=f"{referral.to_agency.name}'s practitioners and team managers",
        request_id=request_id,
        now=now,
        question=question.strip(),
    )
    _start_clock(r, now)  # the sender's answer is now what is due
    _save(r, now)
    _audit(r, by, "more information requested", request_id=request_id)
    _notify(
        r,
        _sender_side(r),
        "referral_information_requested",
        f"{r.to_agency.name} asks for more information",
        question.strip()[:500],
    )
    return r


@referral_action
def provide_information(
    *,
    by: Any,
    referral: Referral,
    answer: str,
    request_id: str = "",
    now: dt.datetime | None = None,
) -> Referral:
    if len(answer.strip()) < 10:
        raise ReferralInvalidError({"answer": "Give the information asked for."})
    now = now or timezone.now()
    r = _transition(
        referral,
        by=by,
        name="provide_information",
        allowed=may_act_for_sender(by, referral),
        who="the sender or their team manager",
        request_id=request_id,
        now=now,
        answer=answer.strip(),
    )
    _start_clock(r, now)  # the decision clock starts again from the answer
    _save(r, now)
    _audit(r, by, "information provided", request_id=request_id)
    _notify(
        r,
        front_door(r.to_agency_id),
        "referral_information_provided",
        "the information you asked for",
        f"A decision is due by {timezone.localtime(r.due_at):%-d %B %Y}.",
    )
    return r


@dataclass(frozen=True)
class _Ending:
    """How withdrawing or closing goes: the coded reasons, who may, who is told."""

    name: str
    codes: Callable[[], dict[str, str]]
    field: str
    allowed: Callable[[Any, Referral], bool]
    who: Callable[[Referral], str]
    tell: Callable[[Referral], list[User]]
    told_by: Callable[[Referral], str]


ENDINGS = {
    "withdraw": _Ending(
        "withdraw",
        lambda: reasons().withdraw,
        "withdraw_reason",
        may_act_for_sender,
        lambda r: "the sender or their team manager",
        lambda r: front_door(r.to_agency_id),
        lambda r: r.from_agency.name,
    ),
    "close": _Ending(
        "close",
        lambda: reasons().close,
        "close_reason",
        may_decide,
        lambda r: f"{r.to_agency.name}'s practitioners and team managers",
        _sender_side,
        lambda r: r.to_agency.name,
    ),
}


def _finish(
    ending: _Ending,
    referral: Referral,
    *,
    by: Any,
    reason_code: str,
    note: str,
    request_id: str,
    now: dt.datetime | None,
) -> Referral:
    """Withdraw or close: a coded reason, the transition, every open relationship ended,
    and the other side told who did it and why."""
    codes, past = ending.codes(), VERBS_PAST[ending.name]
    if reason_code not in codes:
        raise ReferralInvalidError({ending.field: f"Choose why the referral is {past}."})
    now = now or timezone.now()
    r = _transition(
        referral,
        by=by,
        name=ending.name,
        allowed=ending.allowed(by, referral),
        who=ending.who(referral),
        request_id=request_id,
        now=now,
        description=codes[reason_code],
    )
    r.end_reason, r.end_note = reason_code, note.strip()
    _end(r.pending_relationship, by, now)
    _end(r.receiving_relationship, by, now)
    _save(r, now)
    _audit(r, by, f"{past} ({reason_code})", request_id=request_id)
    _notify(
        r, ending.tell(r), f"referral_{past}", f"{past} by {ending.told_by(r)}", codes[reason_code]
    )
    return r


@referral_action
def withdraw_referral(
    *, by: Any, referral: Referral, reason_code: str, note: str = "", request_id: str = "",
    now: dt.datetime | None = None,
) -> Referral:  # fmt: skip
    """The sender (or their manager) withdraws it, before or after a decision."""
    ending = ENDINGS["withdraw"]
    return _finish(
        ending, referral, by=by, reason_code=reason_code, note=note, request_id=request_id, now=now
    )


@referral_action
def close_referral(
    *, by: Any, referral: Referral, reason_code: str, note: str = "", request_id: str = "",
    now: dt.datetime | None = None,
) -> Referral:  # fmt: skip
    """The receiving agency closes accepted work with a coded reason."""
    ending = ENDINGS["close"]
    return _finish(
        ending, referral, by=by, reason_code=reason_code, note=note, request_id=request_id, now=now
    )


__all__ = [
    "ReferralDraft",
    "ReferralError",
    "ReferralInvalidError",
    "accept_referral",
    "close_referral",
    "decline_referral",
    "front_door",
    "may_act_for_sender",
    "may_decide",
    "may_view",
    "provide_information",
    "request_information",
    "send_referral",
    "withdraw_referral",
]
