"""Relationships: the need to know that opens a family's record, and the purpose it is held for.

Casework calls ``add_relationship`` when a worker is allocated, joins the team around the
family, or a referral is made, and ``end_relationship`` when that ends. A relationship is held
for a purpose (``DEFAULT_PURPOSE_BY_KIND`` unless the caller names one); the policy serves a
request only for that purpose or one it includes. Widening it (to safeguarding) needs its own
basis: a recorded safeguarding concern or strategy discussion, the safeguarding role of
children's social care, or break-glass with a reason that alerts the IG officers.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from wraparound.core.models import Agency, AgencyKind, User
from wraparound.sharing.catalogues import catalogues, purpose_label
from wraparound.sharing.models import (
    DEFAULT_PURPOSE_BY_KIND,
    Alert,
    CareRelationship,
    PurposeChange,
    RelationshipKind,
    SafeguardingBasis,
    SafeguardingBasisKind,
)
from wraparound.sharing.policy import relationships_of
from wraparound.sharing.services.base import SharingError, action, audit_change

MIN_WIDENING_REASON = 20
SAFEGUARDING_ROLE_KINDS = frozenset({AgencyKind.SOCIAL_CARE})


def _who(user: User | None, agency: Agency) -> str:
    return user.username if user is not None else agency.name


def _check_purpose(purpose: str) -> None:
    known = catalogues().purposes
    if purpose not in known or known[purpose].reader != "casework":
        casework = [c for c, p in known.items() if p.reader == "casework"]
        raise SharingError(f"A relationship is held for one of {casework}, not {purpose!r}.")


def _widening_basis(
    *,
    family_public_id: str,
    agency: Agency,
    purpose: str,
    basis: SafeguardingBasis | None,
    break_glass_reason: str,
) -> str:
    """Why holding ``purpose`` is justified ("" for a purpose no wider than the default)."""
    if purpose != "safeguarding":
        return ""
    if basis is not None:
        if basis.family_public_id != family_public_id:
            raise SharingError("That safeguarding basis was recorded for another family.")
        return f"{basis.get_kind_display()} #{basis.pk} of {basis.recorded_at:%-d %B %Y}"
    if agency.kind in SAFEGUARDING_ROLE_KINDS:
        return f"the safeguarding role of {agency.name} (children's social care)"
    if len(break_glass_reason.strip()) >= MIN_WIDENING_REASON:
        return f"break-glass: {break_glass_reason.strip()}"
    raise SharingError(
        "Safeguarding is wider than early help: it needs its own basis. Record the safeguarding "
        "concern or strategy discussion first, or give a break-glass reason of at least "
        f"{MIN_WIDENING_REASON} characters (your IG officer is alerted)."
    )


def _alert_if_break_glass(agency: Agency, why: str, message: str) -> None:
    if why.startswith("break-glass"):
        Alert.objects.create(agency=agency, message=message)


@action
def add_relationship(
    *,
    family_public_id: str,
    kind: str,
    agency: Agency,
    user: User | None = None,
    by: User | None = None,
    purpose: str | None = None,
    basis: SafeguardingBasis | None = None,
    break_glass_reason: str = "",
    started_at: dt.datetime | None = None,
    request_id: str = "",
) -> CareRelationship:
    """Give a worker (or a whole agency, for a referral) need to know about a family.

    ``purpose`` defaults by kind (early help coordination); safeguarding needs ``basis``, a
    social-care agency, or ``break_glass_reason`` (which alerts the agency's IG officers).
    """
    if kind not in RelationshipKind.values:
        raise SharingError(f"Unknown relationship {kind!r}: use one of {RelationshipKind.values}.")
    if user is not None and user.agency_id != agency.pk:
        raise SharingError(f"{user} works for another agency than {agency.name}.")
    purpose = purpose or DEFAULT_PURPOSE_BY_KIND[kind]
    _check_purpose(purpose)
    why = _widening_basis(
        family_public_id=family_public_id,
        agency=agency,
        purpose=purpose,
        basis=basis,
        break_glass_reason=break_glass_reason,
    )
    relationship = CareRelationship.objects.create(
        family_public_id=family_public_id,
        kind=kind,
        agency=agency,
        user=user,
        purpose=purpose,
        started_at=started_at or timezone.now(),
        created_by=by,
    )
    summary = (
        f"{relationship.get_kind_display()} relationship started for {_who(user, agency)}, "
        f"held for {purpose_label(purpose).lower()}" + (f" on {why}" if why else "")
    )
    _alert_if_break_glass(agency, why, f"{summary} (family {family_public_id}).")
    audit_change(
        by,
        summary,
        family_public_id=family_public_id,
        relationship=kind,
        purpose=purpose,
        request_id=request_id,
    )
    return relationship


@action
def end_relationship(
    *,
    relationship: CareRelationship,
    by: User | None = None,
    ended_at: dt.datetime | None = None,
    request_id: str = "",
) -> CareRelationship:
    """End need to know (case closed, worker moved): access stops at once."""
    relationship.ended_at = ended_at or timezone.now()
    relationship.save(update_fields=["ended_at"])
    audit_change(
        by,
        f"{relationship.get_kind_display()} relationship ended",
        family_public_id=relationship.family_public_id,
        relationship=relationship.kind,
        purpose=relationship.purpose,
        request_id=request_id,
    )
    return relationship


@action
def record_safeguarding_basis(
    *, by: User, family_public_id: str, kind: str, summary: str, request_id: str = ""
) -> SafeguardingBasis:
    """Record a safeguarding concern or a strategy discussion: the basis for safeguarding.

    Only someone already working with the family records it (their relationship is the need
    to know); it is audited, and relationships may then be widened against it.
    """
    if kind not in SafeguardingBasisKind.values:
        raise SharingError(f"Choose one of {SafeguardingBasisKind.values}.")
    if len(summary.strip()) < MIN_WIDENING_REASON:
        raise SharingError(
            f"Describe the concern or the discussion in at least {MIN_WIDENING_REASON} characters."
        )
    if not relationships_of(by, family_public_id).exists():
        raise SharingError(
            f"You have no current relationship with family {family_public_id} to record a "
            "safeguarding basis for."
        )
    basis = SafeguardingBasis.objects.create(
        family_public_id=family_public_id, kind=kind, summary=summary.strip(), recorded_by=by
    )
    audit_change(
        by,
        f"Recorded {basis.get_kind_display().lower()}: {basis.summary}",
        family_public_id=family_public_id,
        purpose="safeguarding",
        request_id=request_id,
    )
    return basis


@action
def change_relationship_purpose(
    *,
    by: User,
    relationship: CareRelationship,
    purpose: str,
    basis: SafeguardingBasis | None = None,
    break_glass_reason: str = "",
    request_id: str = "",
) -> CareRelationship:
    """Change what a relationship is held for; widening needs a basis; always audited."""
    _check_purpose(purpose)
    relationship = CareRelationship.objects.select_for_update().get(pk=relationship.pk)
    if relationship.ended_at is not None and relationship.ended_at <= timezone.now():
        raise SharingError("That relationship has ended.")
    if relationship.user_id not in (None, by.pk) and relationship.agency_id != by.agency_id:
        raise SharingError("Only the worker or their agency changes a relationship's purpose.")
    if relationship.purpose == purpose:
        raise SharingError(f"The relationship is already held for {purpose_label(purpose)}.")
    why = _widening_basis(
        family_public_id=relationship.family_public_id,
        agency=relationship.agency,
        purpose=purpose,
        basis=basis,
        break_glass_reason=break_glass_reason,
    )
    PurposeChange.objects.create(
        relationship=relationship,
        from_purpose=relationship.purpose,
        to_purpose=purpose,
        basis=basis,
        break_glass_reason=break_glass_reason.strip(),
        changed_by=by,
    )
    summary = (
        f"Purpose of {relationship.get_kind_display().lower()} relationship changed from "
        f"{purpose_label(relationship.purpose).lower()} to {purpose_label(purpose).lower()}"
        + (f" on {why}" if why else "")
    )
    relationship.purpose = purpose
    relationship.save(update_fields=["purpose"])
    _alert_if_break_glass(
        relationship.agency,
        why,
        f"{by.username}: {summary} (family {relationship.family_public_id}).",
    )
    audit_change(
        by,
        summary,
        family_public_id=relationship.family_public_id,
        relationship=relationship.kind,
        purpose=purpose,
        request_id=request_id,
    )
    return relationship
