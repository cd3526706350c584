"""Step up to statutory social care, step down to early help: transfers between teams.

Requesting a transfer sends the pack (assessment, plan, case chronology as they stand) and
gives the receiving agency need to know (a referral relationship) so it can read the pack
and decide. The current lead stays responsible until the receiver accepts; accepting makes
the receiver's worker the lead and changes the service level; declining or withdrawing ends
the receiving agency's access and changes nothing else.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from wraparound.casework import notices
from wraparound.casework import permissions as may
from wraparound.casework.concurrency import CaseworkError
from wraparound.casework.models import (
    CaseTransfer,
    FamilyCase,
    ServiceLevel,
    TransferDirection,
    TransferStatus,
)
from wraparound.casework.plan_services import current_assessment, snapshot
from wraparound.casework.services import CASE_PURPOSE, make_lead, record
from wraparound.core.models import Agency, AgencyKind
from wraparound.sharing.models import RelationshipKind
from wraparound.sharing.services import add_relationship, end_relationship

RECEIVERS = {
    TransferDirection.STEP_UP: (
        ServiceLevel.EARLY_HELP,
        ServiceLevel.STATUTORY,
        {AgencyKind.SOCIAL_CARE},
    ),
    TransferDirection.STEP_DOWN: (
        ServiceLevel.STATUTORY,
        ServiceLevel.EARLY_HELP,
        {AgencyKind.EARLY_HELP, AgencyKind.VOLUNTARY, AgencyKind.EDUCATION, AgencyKind.HEALTH},
    ),
}


def build_pack(case: FamilyCase) -> dict[str, Any]:
    """What travels with the family: the assessment, the plan and the case chronology."""
    assessment = current_assessment(case)
    plan = getattr(case, "plan", None)
    return {
        "family_public_id": case.family_public_id,
        "assessment": None
        if assessment is None
        else {
            "status": assessment.status,
            "started_on": assessment.started_on.isoformat(),
            "child_words": assessment.child_words,
            "parents_words": assessment.parents_words,
            "areas": [
                {
                    "outcome": a.outcome,
                    "worries": a.worries,
                    "working_well": a.working_well,
                    "needs_to_happen": a.needs_to_happen,
                    "is_need": a.is_need,
                }
                for a in assessment.areas.all()
            ],
        },
        "plan": None if plan is None else snapshot(plan),
        "chronology": [
            {"at": h.at.isoformat(), "what": h.what} for h in case.history.order_by("at", "pk")
        ],
    }


@transaction.atomic
def request_transfer(
    *,
    by: Any,
    case: FamilyCase,
    direction: str,
    to_agency: Agency,
    reason: str,
    request_id: str = "",
) -> CaseTransfer:
    """Ask another team to take the family on; the pack goes with the request."""
    may.require_open(case)
    may.require_lead_or_manager(by, case)
    if direction not in RECEIVERS:
        raise CaseworkError("Choose step up or step down.")
    from_level, _, kinds = RECEIVERS[TransferDirection(direction)]
    if case.service_level != from_level:
        raise CaseworkError(
            f"This family is in {ServiceLevel(case.service_level).label.lower()}: "
            f"{TransferDirection(direction).label.lower()} does not apply."
        )
    if to_agency.kind not in kinds:
        raise CaseworkError(
            f"{to_agency.name} does not receive a {TransferDirection(direction).label.lower()}."
        )
    if not reason.strip():
        raise CaseworkError("Say why the family needs this transfer.")
    if case.transfers.filter(status=TransferStatus.PENDING).exists():
        raise CaseworkError("A transfer for this family is already waiting for an answer.")
    assert case.lead is not None  # open cases always have one (database constraint)
    relationship = add_relationship(
        family_public_id=case.family_public_id,
        kind=RelationshipKind.REFERRAL_TO_AGENCY,
        agency=to_agency,
        by=by,
        purpose="safeguarding" if to_agency.kind == AgencyKind.SOCIAL_CARE else CASE_PURPOSE,
        request_id=request_id,
    )
    transfer = CaseTransfer.objects.create(
        case=case,
        direction=direction,
        reason=reason.strip(),
        from_lead=case.lead,
        to_agency=to_agency,
        pack=build_pack(case),
        receiving_relationship=relationship,
        requested_by=by,
    )
    record(
        by, case, f"{transfer.get_direction_display()} requested to {to_agency.name}", request_id
    )
    notices.transfer_awaiting(by=by, transfer=transfer)
    return transfer


def _respond(by: Any, transfer: CaseTransfer, status: str, note: str) -> None:
    transfer.status = status
    transfer.responded_at, transfer.responded_by = timezone.now(), by
    transfer.response_note = note.strip()
    transfer.save(
        update_fields=["status", "responded_at", "responded_by", "response_note", "to_lead"]
    )


def _pending(transfer: CaseTransfer) -> CaseTransfer:
    locked = CaseTransfer.objects.select_for_update().select_related("case").get(pk=transfer.pk)
    if locked.status != TransferStatus.PENDING:
        raise CaseworkError(f"This transfer is already {locked.get_status_display().lower()}.")
    return locked


@transaction.atomic
def accept_transfer(
    *, by: Any, transfer: CaseTransfer, new_lead: Any, note: str = "", request_id: str = ""
) -> CaseTransfer:
    """A manager of the receiving agency accepts and names the new lead from their team."""
    transfer = _pending(transfer)
    if not may.manages(by, transfer.to_agency_id):
        raise CaseworkError("Only a team manager of the receiving agency can accept.")
    if not may.works_cases(new_lead) or new_lead.agency_id != transfer.to_agency_id:
        raise CaseworkError(f"Choose the new lead from {transfer.to_agency.name}.")
    case = FamilyCase.objects.select_for_update().get(pk=transfer.case_id)
    _, to_level, _ = RECEIVERS[TransferDirection(transfer.direction)]
    old = case.lead
    case.lead, case.lead_agency, case.service_level = new_lead, new_lead.agency, to_level
    case.version += 1
    case.updated_by, case.updated_at = by, timezone.now()
    case.save(
        update_fields=[
            "lead",
            "lead_agency",
            "service_level",
            "version",
            "updated_by",
            "updated_at",
        ]
    )
    make_lead(by, case, new_lead, request_id)
    transfer.to_lead = new_lead
    _respond(by, transfer, TransferStatus.ACCEPTED, note)
    assert transfer.receiving_relationship is not None
    end_relationship(relationship=transfer.receiving_relationship, by=by, request_id=request_id)
    record(
        by,
        case,
        f"{transfer.get_direction_display()} accepted by {transfer.to_agency.name}: "
        f"{new_lead} now leads, taking over from {old}",
        request_id,
    )
    notices.transfer_answered(by=by, transfer=transfer)
    return transfer


@transaction.atomic
def decline_transfer(
    *, by: Any, transfer: CaseTransfer, note: str, request_id: str = ""
) -> CaseTransfer:
    """The receiving manager declines with a reason; the current lead carries on."""
    transfer = _pending(transfer)
    if not may.manages(by, transfer.to_agency_id):
        raise CaseworkError("Only a team manager of the receiving agency can decline.")
    if not note.strip():
        raise CaseworkError("Say why the transfer is declined and what should happen instead.")
    _respond(by, transfer, TransferStatus.DECLINED, note)
    assert transfer.receiving_relationship is not None
    end_relationship(relationship=transfer.receiving_relationship, by=by, request_id=request_id)
    record(
        by,
        transfer.case,
        f"Transfer declined by {transfer.to_agency.name}: {note.strip()}",
        request_id,
    )
    notices.transfer_answered(by=by, transfer=transfer)
    return transfer


@transaction.atomic
def withdraw_transfer(
    *, by: Any, transfer: CaseTransfer, note: str = "", request_id: str = ""
) -> CaseTransfer:
    """The sending lead (or their manager) withdraws the request."""
    transfer = _pending(transfer)
    may.require_lead_or_manager(by, transfer.case)
    _respond(by, transfer, TransferStatus.WITHDRAWN, note)
    assert transfer.receiving_relationship is not None
    end_relationship(relationship=transfer.receiving_relationship, by=by, request_id=request_id)
    record(by, transfer.case, "Transfer request withdrawn", request_id)
    notices.transfer_withdrawn(by=by, transfer=transfer)
    return transfer
