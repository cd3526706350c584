"""Upload delegation: an agency lets another agency's data analysts upload its extracts.

An extract replaces the agency's current records for that dataset, so uploading one is a
write on the agency's behalf: only its own analysts may, or analysts of an agency it has
delegated to here (recorded by its IG officer, revocable at once, both audited).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from wraparound.core.models import Agency, Role, User
from wraparound.sharing.models import UploadDelegation
from wraparound.sharing.services.base import SharingError, action, audit_change, require_ig_officer


def active_delegations() -> QuerySet[UploadDelegation]:
    return UploadDelegation.objects.filter(revoked_at__isnull=True).select_related(
        "from_agency", "to_agency", "granted_by"
    )


def agencies_uploadable_by(user: User) -> QuerySet[Agency]:
    """The agencies whose extracts ``user`` may upload: their own and those delegating to it."""
    if getattr(user, "role", None) != Role.DATA_ANALYST or not user.agency_id:
        return Agency.objects.none()
    delegating = active_delegations().filter(to_agency_id=user.agency_id)
    ids = {user.agency_id, *delegating.values_list("from_agency_id", flat=True)}
    return Agency.objects.filter(pk__in=ids).order_by("name")


def upload_refusal(user: User, agency: Agency) -> str:
    """Why ``user`` may not upload ``agency``'s extract ("" when they may)."""
    if getattr(user, "role", None) != Role.DATA_ANALYST:
        return "Only data analysts upload extracts."
    if agencies_uploadable_by(user).filter(pk=agency.pk).exists():
        return ""
    return (
        f"You cannot upload {agency.name}'s extracts: only its own analysts may, or an agency "
        "it has delegated uploading to in Wraparound (its IG officer records that)."
    )


@action
def delegate_uploads(
    *, by: User, to_agency: Agency, reason: str, request_id: str = ""
) -> UploadDelegation:
    """The acting IG officer's agency lets ``to_agency``'s analysts upload its extracts."""
    require_ig_officer(by)
    if by.agency is None or to_agency.pk == by.agency_id:
        raise SharingError("Delegate to another partner agency.")
    if not reason.strip():
        raise SharingError("Say why the other agency uploads for yours.")
    if active_delegations().filter(from_agency_id=by.agency_id, to_agency=to_agency).exists():
        raise SharingError(f"{to_agency.name} already uploads for {by.agency.name}.")
    made = UploadDelegation.objects.create(
        from_agency=by.agency, to_agency=to_agency, reason=reason.strip(), granted_by=by
    )
    audit_change(
        by,
        f"{by.agency.name} delegated uploading its extracts to {to_agency.name}: {made.reason}",
        request_id=request_id,
    )
    return made


@action
def revoke_upload_delegation(
    *, by: User, delegation: UploadDelegation, request_id: str = ""
) -> UploadDelegation:
    """Stop a delegation at once (an IG officer of the delegating agency)."""
    require_ig_officer(by)
    delegation = UploadDelegation.objects.select_for_update().get(pk=delegation.pk)
    if delegation.from_agency_id != by.agency_id:
        raise SharingError("Only the delegating agency's IG officer revokes a delegation.")
    if delegation.revoked_at is not None:
        raise SharingError("That delegation is already revoked.")
    delegation.revoked_at, delegation.revoked_by = timezone.now(), by
    delegation.save(update_fields=["revoked_at", "revoked_by"])
    audit_change(
        by,
        f"Revoked {delegation.to_agency.name}'s delegation to upload "
        f"{delegation.from_agency.name}'s extracts",
        request_id=request_id,
    )
    return delegation
