"""Writes on a family's case: open, lead and team, handover, notes, closure and reopening.

Each function is one business action (STYLE.md "one action, one place"): it checks who is
acting, changes data inside one transaction, writes the case history line and appends the
audit entry in the same transaction. Team membership is created and ended through
``sharing.services``, because membership is the relationship the sharing policy reads.
Plans and assessments are in ``plan_services``; step up and step down in ``transfers``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from wraparound.casework import notices
from wraparound.casework import permissions as may
from wraparound.casework.catalogues import closure_reasons
from wraparound.casework.concurrency import CaseworkError, save_if_current
from wraparound.casework.models import (
    CaseClosure,
    CaseHistory,
    CaseNote,
    CaseStatus,
    FamilyCase,
    NoteAmendment,
    ServiceLevel,
    TeamMember,
)
from wraparound.core.labels import label
from wraparound.core.models import Agency, AgencyKind, Role, User
from wraparound.sharing import audit
from wraparound.sharing.catalogues import catalogues
from wraparound.sharing.gate import audit_decision
from wraparound.sharing.models import AuditAction, AuditOutcome, RelationshipKind
from wraparound.sharing.policy import TRIAGE, Decision, decide
from wraparound.sharing.services import add_relationship, end_relationship

LEAD_ROLE = "Lead practitioner"
CASE_PURPOSE = "early_help_coordination"
NEXT_STEPS = (
    "To work with this family, ask the agency that knows them to refer them to yours; a team "
    "manager can allocate a family on the triage queue; if a child is at risk now, request "
    "emergency access with a reason (it is reviewed)."
)


class NoRouteInError(CaseworkError):
    """Opening (or reopening) work with a family the policy gives this person no route to."""

    def __init__(self, family_public_id: str, reasons: list[str]) -> None:
        self.family_public_id = family_public_id
        self.reasons = reasons
        super().__init__(
            f"You cannot open a case for family {family_public_id}: "
            + " ".join(dict.fromkeys(reasons))
            + " "
            + NEXT_STEPS
        )


def allocation_route(*, by: Any, family_public_id: str, request_id: str = "") -> Decision:
    """The route in that lets ``by`` open work with the family, or NoRouteInError; audited.

    A route is what the policy accepts as need to know for early help: a relationship (an
    accepted referral to the agency, a team or allocation, for team managers a colleague's),
    an unexpired emergency access grant, or, for a team manager, the triage purpose (the
    family is on the triage queue and an agreement in force lists triage). The decision is
    written to the audit chain either way, outside any write's transaction.
    """
    decision = decide(
        user=by, family_public_id=family_public_id, categories=[], purpose=CASE_PURPOSE
    )
    reasons = [decision.need_to_know_reason]
    if not decision.has_need_to_know and getattr(by, "role", None) == Role.TEAM_MANAGER:
        triage = decide(user=by, family_public_id=family_public_id, categories=[], purpose=TRIAGE)
        reasons.append(triage.need_to_know_reason)
        if triage.has_need_to_know:
            decision = triage
    audit_decision(
        user=by,
        decision=decision,
        action=AuditAction.VIEW,
        request_id=request_id or None,
        note=f"Route in to open a case for family {family_public_id}",
    )
    if not decision.has_need_to_know:
        raise NoRouteInError(family_public_id, reasons)
    return decision


def record(by: Any, case: FamilyCase, what: str, request_id: str = "") -> None:
    """The case history line and the audit entry for one change, in the caller's transaction."""
    CaseHistory.objects.create(case=case, by=by, what=what[:300])
    audit.record_access(
        user=by,
        action=AuditAction.AMEND,
        outcome=AuditOutcome.PERMIT,
        purpose=CASE_PURPOSE,
        family_public_id=case.family_public_id,
        reason=f"Casework: {what}",
        request_id=request_id,
    )


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.username)


def purpose_for(case: FamilyCase, agency: Agency) -> str:
    """The purpose a membership is held for: children's social care holds a statutory case
    for safeguarding (its own basis); everyone else for early help coordination."""
    if case.service_level == ServiceLevel.STATUTORY and agency.kind == AgencyKind.SOCIAL_CARE:
        return "safeguarding"
    return CASE_PURPOSE


def join_team(
    *, by: Any, case: FamilyCase, user: Any, role: str, kind: str, request_id: str = ""
) -> TeamMember:
    """A membership and its sharing relationship, created together (no history line)."""
    relationship = add_relationship(
        family_public_id=case.family_public_id,
        kind=kind,
        agency=user.agency,
        user=user,
        by=by,
        purpose=purpose_for(case, user.agency),
        request_id=request_id,
    )
    return TeamMember.objects.create(
        case=case, user=user, agency=user.agency, role=role, relationship=relationship
    )


def _leave(by: Any, member: TeamMember, on: dt.date, request_id: str) -> None:
    member.left_on = on
    member.save(update_fields=["left_on"])
    end_relationship(relationship=member.relationship, by=by, request_id=request_id)


def _family_exists(family_public_id: str) -> bool:
    from wraparound.casework.sources import family_exists

    return family_exists(family_public_id)


def open_case(
    *,
    by: Any,
    family_public_id: str,
    lead: Any,
    service_level: str = ServiceLevel.EARLY_HELP,
    request_id: str = "",
) -> FamilyCase:
    """Open work with a family, naming its lead practitioner (who joins the team).

    Only along a route in the policy accepts (``allocation_route``). A team manager
    allocates a lead from their own team; a practitioner may open a case with themselves
    as lead.
    """
    may.require_caseworker(by)
    allocation_route(by=by, family_public_id=family_public_id, request_id=request_id)
    return _open_case(
        by=by,
        family_public_id=family_public_id,
        lead=lead,
        service_level=service_level,
        request_id=request_id,
    )


@transaction.atomic
def _open_case(
    *, by: Any, family_public_id: str, lead: Any, service_level: str, request_id: str
) -> FamilyCase:
    if not may.works_cases(lead):
        raise CaseworkError("The lead practitioner must be an active practitioner or manager.")
    if lead.pk != by.pk and not may.manages(by, lead.agency_id):
        raise CaseworkError("Only a team manager of the lead's agency can allocate them a family.")
    if service_level not in ServiceLevel.values:
        raise CaseworkError(f"Unknown service level {service_level!r}.")
    if not _family_exists(family_public_id):
        raise CaseworkError(f"There is no family {family_public_id} in the master index.")
    if FamilyCase.objects.filter(
        family_public_id=family_public_id, status=CaseStatus.OPEN
    ).exists():
        raise CaseworkError(f"Family {family_public_id} already has an open case.")
    try:
        with transaction.atomic():
            case = FamilyCase.objects.create(
                family_public_id=family_public_id,
                lead=lead,
                lead_agency=lead.agency,
                service_level=service_level,
                opened_by=by,
                updated_by=by,
            )
    except IntegrityError as error:  # another manager opened it a moment ago
        raise CaseworkError(f"Family {family_public_id} already has an open case.") from error
    join_team(
        by=by,
        case=case,
        user=lead,
        role=LEAD_ROLE,
        kind=RelationshipKind.ALLOCATED_WORKER,
        request_id=request_id,
    )
    record(by, case, f"Case opened with {_name(lead)} ({lead.agency.name}) as lead", request_id)
    return case


@transaction.atomic
def add_member(
    *, by: Any, case: FamilyCase, user: Any, role: str, request_id: str = ""
) -> TeamMember:
    """Add a worker of any agency to the team around the family, with their role."""
    may.require_open(case)
    may.require_lead_or_manager(by, case)
    if not may.works_cases(user):
        raise CaseworkError(f"{user} is not an active practitioner or manager.")
    if not role.strip():
        raise CaseworkError("Say what role they have in the team (for example 'School nurse').")
    if may.is_member(user, case):
        raise CaseworkError(f"{_name(user)} is already in the team around this family.")
    member = join_team(
        by=by,
        case=case,
        user=user,
        role=role.strip(),
        kind=RelationshipKind.TEAM_AROUND_FAMILY,
        request_id=request_id,
    )
    record(by, case, f"{_name(user)} ({user.agency.name}) joined as {member.role}", request_id)
    return member


@transaction.atomic
def end_membership(
    *, by: Any, member: TeamMember, reason: str = "", request_id: str = ""
) -> TeamMember:
    """A member leaves the team; their access through it stops at once. Not the lead."""
    case = member.case
    if by.pk != member.user_id:
        may.require_lead_or_manager(by, case)
    if not member.is_current:
        raise CaseworkError("They have already left the team.")
    if case.is_open and case.lead_id == member.user_id:
        raise CaseworkError("The lead practitioner cannot leave: choose a new lead first.")
    _leave(by, member, timezone.localdate(), request_id)
    why = f": {reason.strip()}" if reason.strip() else ""
    record(by, case, f"{_name(member.user)} left the team{why}", request_id)
    return member


def make_lead(by: Any, case: FamilyCase, new_lead: Any, request_id: str) -> None:
    if not may.is_member(new_lead, case):
        join_team(
            by=by,
            case=case,
            user=new_lead,
            role=LEAD_ROLE,
            kind=RelationshipKind.ALLOCATED_WORKER,
            request_id=request_id,
        )


@transaction.atomic
def change_lead(
    *,
    by: Any,
    case: FamilyCase,
    new_lead: Any,
    expected_version: int,
    request_id: str = "",
) -> FamilyCase:
    """Name a new lead practitioner (any agency); the old lead stays in the team."""
    may.require_open(case)
    may.require_lead_or_manager(by, case)
    if not may.works_cases(new_lead):
        raise CaseworkError("The new lead must be an active practitioner or manager.")
    if new_lead.pk == case.lead_id:
        raise CaseworkError(f"{_name(new_lead)} is already the lead practitioner.")
    old = case.lead
    save_if_current(
        case,
        expected_version=expected_version,
        by=by,
        changes={"lead": new_lead, "lead_agency": new_lead.agency},
        label=f"The case for family {case.family_public_id}",
    )
    make_lead(by, case, new_lead, request_id)
    record(
        by, case, f"Lead practitioner changed from {_name(old)} to {_name(new_lead)}", request_id
    )
    notices.lead_given(by=by, case=case, new_lead=new_lead, taking_over_from=old)
    return case


@transaction.atomic
def hand_over_caseload(
    *, by: Any, leaving: Any, to: Any, deactivate: bool = False, request_id: str = ""
) -> int:
    """A manager moves every open family a worker leads to a colleague, in one action.

    Also ends the leaving worker's other memberships on open cases, and (``deactivate``)
    deactivates their account, so no open family is ever left led by someone who has gone.
    Returns how many families changed lead.
    """
    if not may.manages(by, leaving.agency_id):
        raise CaseworkError(
            "Only a team manager of the worker's agency can hand over their families."
        )
    if not may.works_cases(to) or to.agency_id != by.agency_id:
        raise CaseworkError("Hand over to an active practitioner or manager in your own team.")
    if to.pk == leaving.pk:
        raise CaseworkError("Choose someone other than the worker who is leaving.")
    led = list(FamilyCase.objects.select_for_update().filter(lead=leaving, status=CaseStatus.OPEN))
    for case in led:
        case.lead, case.lead_agency = to, to.agency
        case.version += 1
        case.updated_by, case.updated_at = by, timezone.now()
        case.save(update_fields=["lead", "lead_agency", "version", "updated_by", "updated_at"])
        make_lead(by, case, to, request_id)
        record(
            by,
            case,
            f"Handover: {_name(to)} now leads, taking over from {_name(leaving)}",
            request_id,
        )
    today = timezone.localdate()
    for member in TeamMember.objects.filter(
        user=leaving, left_on__isnull=True, case__status=CaseStatus.OPEN
    ).select_related("case", "relationship"):
        _leave(by, member, today, request_id)
        record(by, member.case, f"{_name(leaving)} left the team (handover)", request_id)
    notices.caseload_handed_over(
        by=by, leaving=leaving, to=to, families=[c.family_public_id for c in led]
    )
    if deactivate:
        User.objects.filter(pk=leaving.pk).update(is_active=False)
        leaving.is_active = False
    return len(led)


def deactivate_worker(*, by: Any, worker: Any) -> None:
    """Deactivate an account, refused while the worker still leads an open family."""
    if not may.manages(by, worker.agency_id):
        raise CaseworkError("Only a team manager of the worker's agency can deactivate them.")
    leading = FamilyCase.objects.filter(lead=worker, status=CaseStatus.OPEN).count()
    if leading:
        raise CaseworkError(
            f"{_name(worker)} still leads {leading} open famil{'y' if leading == 1 else 'ies'}: "
            "hand them over first (the handover can deactivate the account in the same step)."
        )
    User.objects.filter(pk=worker.pk).update(is_active=False)
    worker.is_active = False


# --- notes ----------------------------------------------------------------------------------


@transaction.atomic
def add_note(
    *,
    by: Any,
    case: FamilyCase,
    category: str,
    body: str,
    occurred_on: dt.date | None = None,
    request_id: str = "",
) -> CaseNote:
    """A case note in a sharing category: the agreements decide which agencies read it."""
    may.require_team(by, case)
    if category not in catalogues().categories:
        raise CaseworkError(f"Choose a kind of information from the list, not {category!r}.")
    if not body.strip():
        raise CaseworkError("Write the note.")
    when = occurred_on or timezone.localdate()
    if when > timezone.localdate():
        raise CaseworkError(
            "A note records something that has happened: the date cannot be in the future."
        )
    note = CaseNote.objects.create(
        case=case,
        author=by,
        agency=by.agency,
        category=category,
        body=body.strip(),
        occurred_on=when,
    )
    record(by, case, f"Case note added ({label(category).lower()})", request_id)
    return note


@transaction.atomic
def amend_note(
    *, by: Any, note: CaseNote, body: str, reason: str, request_id: str = ""
) -> NoteAmendment:
    """Append a correction to a note; the original text stays as it was written."""
    if by.pk != note.author_id:
        raise CaseworkError("Only the note's author can amend it; add your own note instead.")
    if not body.strip() or not reason.strip():
        raise CaseworkError("Give the corrected text and the reason for the amendment.")
    amendment = NoteAmendment.objects.create(
        note=note, author=by, body=body.strip(), reason=reason.strip()[:300]
    )
    record(by, note.case, f"Case note {note.pk} amended: {amendment.reason}", request_id)
    return amendment


# --- closure --------------------------------------------------------------------------------


@transaction.atomic
def close_case(
    *,
    by: Any,
    case: FamilyCase,
    reason: str,
    note: str = "",
    expected_version: int,
    request_id: str = "",
) -> CaseClosure:
    """Close with a coded reason; every membership (and so its access) ends."""
    may.require_open(case)
    may.require_lead_or_manager(by, case)
    coded = closure_reasons().get(reason)
    if coded is None:
        raise CaseworkError("Choose why the case is closing from the list.")
    if coded.needs_note and not note.strip():
        raise CaseworkError(f"Say more about '{coded.label}' in the closing note.")
    if case.transfers.filter(status="pending").exists():
        raise CaseworkError("A transfer is waiting for an answer: withdraw it before closing.")
    lead = case.lead
    assert lead is not None  # an open case always has one (database constraint)
    save_if_current(
        case,
        expected_version=expected_version,
        by=by,
        changes={"status": CaseStatus.CLOSED, "lead": None},
        label=f"The case for family {case.family_public_id}",
    )
    closure = CaseClosure.objects.create(
        case=case, reason=reason, note=note.strip(), closed_by=by, lead_at_closure=lead
    )
    today = timezone.localdate()
    for member in case.members.filter(left_on__isnull=True).select_related("relationship"):
        _leave(by, member, today, request_id)
    record(by, case, f"Case closed: {coded.label}", request_id)
    return closure


def reopen_case(
    *, by: Any, case: FamilyCase, lead: Any, reason: str, request_id: str = ""
) -> FamilyCase:
    """Reopen a closed case with a lead, along a route in (as for opening); history stays."""
    if case.is_open:
        raise CaseworkError("This case is already open.")
    may.require_caseworker(by)
    allocation_route(by=by, family_public_id=case.family_public_id, request_id=request_id)
    return _reopen_case(by=by, case=case, lead=lead, reason=reason, request_id=request_id)


@transaction.atomic
def _reopen_case(
    *, by: Any, case: FamilyCase, lead: Any, reason: str, request_id: str
) -> FamilyCase:
    if not may.works_cases(lead):
        raise CaseworkError("The lead practitioner must be an active practitioner or manager.")
    if lead.pk != by.pk and not may.manages(by, lead.agency_id):
        raise CaseworkError("Only a team manager of the lead's agency can allocate them a family.")
    if not reason.strip():
        raise CaseworkError("Say why the case is reopening.")
    others = FamilyCase.objects.filter(
        family_public_id=case.family_public_id, status=CaseStatus.OPEN
    )
    if others.exists():
        raise CaseworkError("This family has another open case: work in that one.")
    save_if_current(
        case,
        expected_version=case.version,
        by=by,
        changes={"status": CaseStatus.OPEN, "lead": lead, "lead_agency": lead.agency},
        label=f"The case for family {case.family_public_id}",
    )
    closure = case.closures.filter(reopened_at__isnull=True).first()
    if closure is not None:
        closure.reopened_at, closure.reopened_by = timezone.now(), by
        closure.reopen_reason = reason.strip()
        closure.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
    make_lead(by, case, lead, request_id)
    record(by, case, f"Case reopened with {_name(lead)} as lead: {reason.strip()}", request_id)
    return case
