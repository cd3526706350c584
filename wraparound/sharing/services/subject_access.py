"""Subject access requests: opened for a person who exists, redacted with reasons, disclosed.

Each step is an audited action by an IG officer of the answering agency; the disclosure
records exactly which items went out (and which were redacted, and why).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from wraparound.core.models import User
from wraparound.sharing import subjects
from wraparound.sharing.models import (
    AuditAction,
    AuditOutcome,
    RedactionReason,
    SubjectAccessRedaction,
    SubjectAccessRequest,
)
from wraparound.sharing.services.base import SharingError, action, audit_change, require_ig_officer


def _own(by: User, request: SubjectAccessRequest) -> SubjectAccessRequest:
    require_ig_officer(by)
    locked = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
    if locked.agency_id != by.agency_id:
        raise SharingError("Another agency is answering this request: it answers for its records.")
    if locked.status == SubjectAccessRequest.Status.DISCLOSED:
        raise SharingError(f"{locked.reference} has already been disclosed.")
    return locked


@action
def open_subject_access_request(
    *,
    by: User,
    person_public_id: str,
    requester: str,
    received_on: dt.date,
    request_id: str = "",
) -> SubjectAccessRequest:
    """Record a request for what the officer's agency holds about a person in the index."""
    require_ig_officer(by)
    person_public_id = person_public_id.strip().upper()
    if not subjects.person_exists(person_public_id):
        raise SharingError(
            f"No such person: {person_public_id} is not in the master index. Check the id, or "
            "search by name and date of birth."
        )
    if not requester.strip():
        raise SharingError("Say who made the request and their relation to the person.")
    if received_on > timezone.localdate():
        raise SharingError("The request cannot have been received in the future.")
    assert by.agency is not None
    made = SubjectAccessRequest.objects.create(
        person_public_id=person_public_id,
        requester=requester.strip(),
        received_on=received_on,
        agency=by.agency,
        handled_by=by,
    )
    audit_change(
        by,
        f"Opened subject access request {made.reference} from {made.requester} "
        f"(received {received_on:%-d %B %Y})",
        person_public_id=person_public_id,
        purpose="subject_access",
        request_id=request_id,
    )
    return made


@action
def redact_item(
    *,
    by: User,
    request: SubjectAccessRequest,
    item_ref: str,
    reason: str,
    note: str = "",
    request_id: str = "",
) -> SubjectAccessRedaction:
    """Withhold one item from the response, with the exemption relied on."""
    request = _own(by, request)
    if reason not in RedactionReason.values:
        raise SharingError("Choose the exemption the redaction relies on.")
    if not item_ref.strip():
        raise SharingError("Choose the item to redact.")
    redaction, _ = SubjectAccessRedaction.objects.update_or_create(
        request=request,
        item_ref=item_ref.strip(),
        defaults={"reason": reason, "note": note.strip(), "redacted_by": by},
    )
    audit_change(
        by,
        f"Redacted {redaction.item_ref} from {request.reference}: "
        f"{redaction.get_reason_display()}" + (f" ({redaction.note})" if redaction.note else ""),
        person_public_id=request.person_public_id,
        purpose="subject_access",
        request_id=request_id,
    )
    return redaction


@action
def disclose_response(
    *, by: User, request: SubjectAccessRequest, item_refs: list[str], request_id: str = ""
) -> SubjectAccessRequest:
    """Record the disclosure: which items went out, on what date, by whom (action disclose)."""
    from wraparound.sharing import audit

    request = _own(by, request)
    redacted = set(request.redactions.values_list("item_ref", flat=True))
    request.disclosed_items = sorted(set(item_refs) - redacted)
    request.status = SubjectAccessRequest.Status.DISCLOSED
    request.disclosed_at = timezone.now()
    request.save(update_fields=["disclosed_items", "status", "disclosed_at"])
    audit.record_access(
        user=by,
        action=AuditAction.DISCLOSE,
        outcome=AuditOutcome.PERMIT,
        purpose="subject_access",
        person_public_id=request.person_public_id,
        reason=(
            f"Disclosed {request.reference} to {request.requester}: "
            f"{len(request.disclosed_items)} items, {len(redacted)} redacted"
        ),
        request_id=request_id,
    )
    return request
