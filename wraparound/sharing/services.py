"""Writes: consent, relationships and break-glass, each audited in its transaction.

Agreement writes live in ``agreement_services`` and are re-exported here, so callers need
only ``wraparound.sharing.services``.

Every function checks who is acting, changes data inside one transaction and appends an
``amend`` entry to the audit chain in the same transaction (one action, one place).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from wraparound.core.models import Agency, Role
from wraparound.sharing import audit
from wraparound.sharing.actions import SharingError, audit_change, require_ig_officer
from wraparound.sharing.agreement_services import (
    AgreementDraft,
    PartySpec,
    approve_agreement,
    create_agreement,
    expire_agreement,
    snapshot,
    start_new_version,
    suspend_agreement,
    update_draft,
)
from wraparound.sharing.catalogues import catalogues
from wraparound.sharing.models import (
    Alert,
    AuditAction,
    AuditOutcome,
    BreakGlassGrant,
    BreakGlassOutcome,
    CareRelationship,
    ConsentDecision,
    ConsentRecord,
    RelationshipKind,
    SharedCategory,
    SharingAgreement,
)

MIN_BREAK_GLASS_REASON = 20
MAX_BREAK_GLASS_HOURS = 72


# --- consent and relationships --------------------------------------------------------------


@transaction.atomic
def record_consent(
    *,
    by: Any,
    family_public_id: str,
    decision: str,
    person_public_id: str = "",
    agreement: SharingAgreement | None = None,
    categories: Iterable[str] = (),
    purposes: Iterable[str] = (),
    no_consent_condition: str = "",
    given_by: str = "",
    notes: str = "",
    request_id: str = "",
) -> ConsentRecord:
    """Record consent given, refused or withdrawn (effective at once), or a no-consent decision."""
    if getattr(by, "role", None) not in {Role.PRACTITIONER, Role.TEAM_MANAGER, Role.IG_OFFICER}:
        raise SharingError("Only practitioners, team managers and IG officers record consent.")
    cats = catalogues()
    if decision not in ConsentDecision.values:
        raise SharingError(f"Unknown consent decision {decision!r}.")
    if not family_public_id.strip():
        raise SharingError("Give the family's id (F-...).")
    categories, purposes = list(categories), list(purposes)
    unknown = [c for c in categories if c not in cats.categories] + [
        p for p in purposes if p not in cats.purposes
    ]
    if unknown:
        raise SharingError(f"Unknown categories or purposes: {', '.join(unknown)}.")
    if decision == ConsentDecision.NOT_SOUGHT:
        if no_consent_condition not in cats.no_consent_conditions:
            raise SharingError("Sharing without consent needs the legal condition relied on.")
        if not notes.strip():
            raise SharingError("Record why consent was not sought.")
    elif no_consent_condition:
        raise SharingError("A no-consent condition only goes with 'shared without consent'.")
    record = ConsentRecord.objects.create(
        family_public_id=family_public_id.strip(),
        person_public_id=person_public_id.strip(),
        decision=decision,
        no_consent_condition=no_consent_condition,
        agreement=agreement,
        categories=categories,
        purposes=purposes,
        given_by=given_by,
        notes=notes,
        recorded_by=by,
    )
    audit_change(
        by,
        f"Recorded {record.get_decision_display().lower()}",
        family_public_id=record.family_public_id,
        person_public_id=record.person_public_id,
        consent_ref=f"consent-{record.pk}",
        no_consent_reason=no_consent_condition,
        agreements=[f"{agreement.reference} v{agreement.version}"] if agreement else [],
        request_id=request_id,
    )
    return record


@transaction.atomic
def add_relationship(
    *,
    family_public_id: str,
    kind: str,
    agency: Agency,
    user: Any | None = None,
    by: Any | None = None,
    started_at: dt.datetime | None = None,
    request_id: str = "",
) -> CareRelationship:
    """Give a worker (or a whole agency, for a referral) need to know about a family.

    Casework calls this when a worker is allocated, joins the team around the family, or a
    referral is made.
    """
    if kind not in RelationshipKind.values:
        raise SharingError(f"Unknown relationship {kind!r}: use one of {RelationshipKind.values}.")
    if user is not None and user.agency_id != agency.pk:
        raise SharingError(f"{user} works for another agency than {agency.name}.")
    relationship = CareRelationship.objects.create(
        family_public_id=family_public_id,
        kind=kind,
        agency=agency,
        user=user,
        started_at=started_at or timezone.now(),
        created_by=by,
    )
    audit_change(
        by,
        f"{relationship.get_kind_display()} relationship started for "
        f"{user.username if user else agency.name}",
        family_public_id=family_public_id,
        relationship=kind,
        request_id=request_id,
    )
    return relationship


@transaction.atomic
def end_relationship(
    *,
    relationship: CareRelationship,
    by: Any | None = None,
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
        request_id=request_id,
    )
    return relationship


# --- break-glass ----------------------------------------------------------------------------


def providing_agencies(user: Any, categories: Iterable[str]) -> list[Agency]:
    """Agencies whose data a break-glass grant over ``categories`` would open to ``user``.

    Those sharing the categories with the user's agency under any agreement, plus agencies
    whose kind provides the (non-identity) category by default.
    """
    wanted = set(categories)
    shared = SharedCategory.objects.filter(
        category__in=wanted, agreement__parties__agency_id=user.agency_id
    ).values_list("providing_agency_id", flat=True)
    kinds = [
        kind
        for kind, codes in catalogues().provided_by_kind.items()
        if wanted & (set(codes) - {"identity", "contact"})
    ]
    return list(Agency.objects.filter(pk__in=list(shared)) | Agency.objects.filter(kind__in=kinds))


@transaction.atomic
def request_break_glass(
    *,
    user: Any,
    family_public_id: str,
    reason: str,
    categories: Sequence[str],
    hours: int = 4,
    request_id: str = "",
) -> BreakGlassGrant:
    """Emergency access: logged, time-limited, and alerted to the providing agencies' IG officers."""
    if getattr(user, "role", None) not in {Role.PRACTITIONER, Role.TEAM_MANAGER}:
        raise SharingError("Only practitioners and team managers can use emergency access.")
    if len(reason.strip()) < MIN_BREAK_GLASS_REASON:
        raise SharingError(
            f"Explain the emergency in at least {MIN_BREAK_GLASS_REASON} characters: "
            "who is at risk and why you cannot wait."
        )
    unknown = [c for c in categories if c not in catalogues().categories]
    if not categories or unknown:
        raise SharingError(
            "Choose the categories of data you need"
            + (f" (unknown: {unknown})" if unknown else "")
            + "."
        )
    if not 1 <= hours <= MAX_BREAK_GLASS_HOURS:
        raise SharingError(f"Emergency access lasts between 1 and {MAX_BREAK_GLASS_HOURS} hours.")
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        user=user,
        family_public_id=family_public_id.strip(),
        reason=reason.strip(),
        categories=list(categories),
        granted_at=now,
        expires_at=now + dt.timedelta(hours=hours),
    )
    agencies = {a.pk: a for a in providing_agencies(user, categories)}
    agencies[user.agency_id] = user.agency  # the user's own IG officer reviews too
    grant.alerted_agencies.set(list(agencies.values()))
    message = (
        f"{user.get_full_name() or user.username} ({user.agency.name}) used emergency access to "
        f"family {grant.family_public_id} for {', '.join(categories)} data until "
        f"{timezone.localtime(grant.expires_at):%-d %B %Y %H:%M}. Reason: {grant.reason}"
    )
    Alert.objects.bulk_create(
        [Alert(agency=a, message=message, break_glass=grant) for a in agencies.values()]
    )
    audit.record_access(
        user=user,
        action=AuditAction.AMEND,
        outcome=AuditOutcome.PERMIT,
        family_public_id=grant.family_public_id,
        relationship="break_glass",
        break_glass_id=grant.pk,
        reason=f"Emergency access granted: {grant.reason}",
        categories=[{"provider": "*", "category": c, "outcome": "permit"} for c in categories],
        request_id=request_id,
    )
    return grant


@transaction.atomic
def review_break_glass(
    *, by: Any, grant: BreakGlassGrant, outcome: str, notes: str = "", request_id: str = ""
) -> BreakGlassGrant:
    """An IG officer of an alerted agency records whether the emergency access was justified."""
    require_ig_officer(by)
    grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
    if not grant.alerted_agencies.filter(pk=by.agency_id).exists():
        raise SharingError("This emergency access did not touch your agency's data.")
    if grant.review_outcome:
        raise SharingError("This emergency access has already been reviewed.")
    if outcome not in BreakGlassOutcome.values:
        raise SharingError("Choose justified or referred.")
    if outcome == BreakGlassOutcome.REFERRED and not notes.strip():
        raise SharingError("Say why the use is referred.")
    grant.reviewed_by, grant.reviewed_at = by, timezone.now()
    grant.review_outcome, grant.review_notes = outcome, notes.strip()
    grant.save()
    Alert.objects.filter(break_glass=grant, acknowledged_at__isnull=True).update(
        acknowledged_by=by, acknowledged_at=grant.reviewed_at
    )
    audit_change(
        by,
        f"Reviewed emergency access #{grant.pk}: {grant.get_review_outcome_display()}",
        family_public_id=grant.family_public_id,
        break_glass_id=grant.pk,
        request_id=request_id,
    )
    return grant


__all__ = [
    "AgreementDraft",
    "PartySpec",
    "SharingError",
    "add_relationship",
    "approve_agreement",
    "create_agreement",
    "end_relationship",
    "expire_agreement",
    "providing_agencies",
    "record_consent",
    "request_break_glass",
    "review_break_glass",
    "snapshot",
    "start_new_version",
    "suspend_agreement",
    "update_draft",
]
