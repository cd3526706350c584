"""Writes: agreements, consent, relationships and break-glass, each audited in its transaction.

Every function checks who is acting, changes data inside one transaction and appends an
``amend`` entry to the audit chain in the same transaction (one action, one place).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from wraparound.core.models import Agency, Role
from wraparound.sharing import audit
from wraparound.sharing.catalogues import catalogues
from wraparound.sharing.models import (
    AgreementParty,
    AgreementStatus,
    AgreementVersion,
    Alert,
    AuditAction,
    AuditOutcome,
    BreakGlassGrant,
    BreakGlassOutcome,
    CareRelationship,
    ConsentDecision,
    ConsentRecord,
    DataSubject,
    RelationshipKind,
    SharedCategory,
    SharingAgreement,
)

MIN_BREAK_GLASS_REASON = 20
MAX_BREAK_GLASS_HOURS = 72


class SharingError(Exception):
    """A sharing action was refused; the message says what to change."""


@dataclass
class PartySpec:
    """One party as drafted: its lawful bases and the categories it provides."""

    agency: Agency
    lawful_bases: list[str]
    provides: list[str] = field(default_factory=list)


@dataclass
class AgreementDraft:
    reference: str
    title: str
    purpose_statement: str
    purposes: list[str]
    parties: list[PartySpec]
    start_date: dt.date
    retention: str
    data_subjects: list[str] = field(
        default_factory=lambda: [DataSubject.CHILD, DataSubject.PARENT]
    )
    consent_required: bool = False
    no_consent_conditions: list[str] = field(default_factory=list)
    dpia_reference: str = ""
    end_date: dt.date | None = None
    review_date: dt.date | None = None


def _require_ig_officer(user: Any) -> None:
    if getattr(user, "role", None) != Role.IG_OFFICER:
        raise SharingError("Only information governance officers can change sharing agreements.")


def _validate(draft: AgreementDraft) -> None:
    cats = catalogues()
    problems: list[str] = []
    for code in draft.purposes:
        if code not in cats.purposes:
            problems.append(f"unknown purpose {code!r}")
    if not draft.purposes:
        problems.append("choose at least one purpose")
    for code in draft.no_consent_conditions:
        if code not in cats.no_consent_conditions:
            problems.append(f"unknown no-consent condition {code!r}")
    for code in draft.data_subjects:
        if code not in DataSubject.values:
            problems.append(f"unknown data subject {code!r}")
    if len({p.agency.pk for p in draft.parties}) < 2:
        problems.append("an agreement needs at least two different parties")
    for party in draft.parties:
        if not party.lawful_bases:
            problems.append(f"{party.agency.name} needs a lawful basis")
        for code in party.lawful_bases:
            if code not in cats.lawful_bases:
                problems.append(f"{party.agency.name}: unknown lawful basis {code!r}")
        for code in party.provides:
            if code not in cats.categories:
                problems.append(f"{party.agency.name}: unknown data category {code!r}")
        if not party.agency.is_statutory and "CDA1998_S115" in party.lawful_bases:
            problems.append(
                f"{party.agency.name} is a voluntary group: Crime and Disorder Act s115 "
                "is not available to it"
            )
    if draft.end_date and draft.end_date < draft.start_date:
        problems.append("the end date is before the start date")
    if not draft.reference.strip() or not draft.title.strip():
        problems.append("give a reference and a title")
    if problems:
        raise SharingError("The agreement cannot be saved: " + "; ".join(problems) + ".")


def snapshot(agreement: SharingAgreement) -> dict[str, Any]:
    """The agreement's content as plain data, for the version history."""
    return {
        "reference": agreement.reference,
        "title": agreement.title,
        "version": agreement.version,
        "status": agreement.status,
        "purpose_statement": agreement.purpose_statement,
        "purposes": agreement.purposes,
        "data_subjects": agreement.data_subjects,
        "consent_required": agreement.consent_required,
        "no_consent_conditions": agreement.no_consent_conditions,
        "retention": agreement.retention,
        "dpia_reference": agreement.dpia_reference,
        "start_date": agreement.start_date.isoformat(),
        "end_date": agreement.end_date.isoformat() if agreement.end_date else None,
        "review_date": agreement.review_date.isoformat() if agreement.review_date else None,
        "parties": [
            {
                "agency": p.agency.slug,
                "lawful_bases": p.lawful_bases,
                "approved_by": p.approved_by.username if p.approved_by else None,
                "approved_at": p.approved_at.isoformat() if p.approved_at else None,
                "approved_version": p.approved_version,
            }
            for p in agreement.parties.select_related("agency", "approved_by")
        ],
        "shared": [
            {"provider": s.providing_agency.slug, "category": s.category}
            for s in agreement.shared_categories.select_related("providing_agency")
        ],
    }


def _audit_change(by: Any, reason: str, **extra: Any) -> None:
    audit.record_access(
        user=by, action=AuditAction.AMEND, outcome=AuditOutcome.PERMIT, reason=reason, **extra
    )


def _write_parties(agreement: SharingAgreement, parties: Sequence[PartySpec]) -> None:
    agreement.parties.all().delete()
    agreement.shared_categories.all().delete()
    for spec in parties:
        AgreementParty.objects.create(
            agreement=agreement, agency=spec.agency, lawful_bases=list(spec.lawful_bases)
        )
        for code in dict.fromkeys(spec.provides):
            SharedCategory.objects.create(
                agreement=agreement, providing_agency=spec.agency, category=code
            )


_FIELDS = (
    "title", "purpose_statement", "purposes", "data_subjects", "consent_required",
    "no_consent_conditions", "retention", "dpia_reference", "start_date", "end_date",
    "review_date",
)  # fmt: skip


@transaction.atomic
def create_agreement(*, by: Any, draft: AgreementDraft, request_id: str = "") -> SharingAgreement:
    """Draft a new agreement; it permits nothing until every party's IG officer approves it."""
    _require_ig_officer(by)
    _validate(draft)
    if SharingAgreement.objects.filter(reference=draft.reference).exists():
        raise SharingError(f"An agreement with reference {draft.reference!r} already exists.")
    agreement = SharingAgreement.objects.create(
        reference=draft.reference,
        created_by=by,
        **{name: getattr(draft, name) for name in _FIELDS},
    )
    _write_parties(agreement, draft.parties)
    _audit_change(by, f"Drafted agreement {agreement.reference} v1", request_id=request_id)
    return agreement


@transaction.atomic
def update_draft(
    *, by: Any, agreement: SharingAgreement, draft: AgreementDraft, request_id: str = ""
) -> SharingAgreement:
    """Change a draft. Approved agreements are revised into a new version instead."""
    _require_ig_officer(by)
    agreement = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status != AgreementStatus.DRAFT:
        raise SharingError(
            f"{agreement.reference} is {agreement.get_status_display().lower()}: start a new "
            "version to change it."
        )
    draft.reference = agreement.reference
    _validate(draft)
    for name in _FIELDS:
        setattr(agreement, name, getattr(draft, name))
    agreement.updated_at = timezone.now()
    agreement.save()
    _write_parties(agreement, draft.parties)
    _audit_change(
        by, f"Edited draft {agreement.reference} v{agreement.version}", request_id=request_id
    )
    return agreement


@transaction.atomic
def approve_agreement(
    *, by: Any, agreement: SharingAgreement, request_id: str = ""
) -> SharingAgreement:
    """Record the approval of the acting IG officer's agency; the last approval brings it in force."""
    _require_ig_officer(by)
    agreement = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status != AgreementStatus.DRAFT:
        raise SharingError(
            f"{agreement.reference} is {agreement.get_status_display().lower()}; only drafts "
            "are approved. Start a new version to change it."
        )
    party = agreement.parties.filter(agency_id=by.agency_id).first()
    if party is None:
        raise SharingError(f"Your agency is not a party to {agreement.reference}.")
    if party.approved_version == agreement.version:
        raise SharingError(
            f"Your agency has already approved {agreement.reference} v{agreement.version}."
        )
    party.approved_by, party.approved_at, party.approved_version = (
        by,
        timezone.now(),
        agreement.version,
    )
    party.save()
    waiting = agreement.parties.exclude(approved_version=agreement.version).count()
    if waiting == 0:
        agreement.status = AgreementStatus.APPROVED
        agreement.status_reason = ""
        agreement.updated_at = timezone.now()
        agreement.save()
        AgreementVersion.objects.create(
            agreement=agreement,
            version=agreement.version,
            snapshot=snapshot(agreement),
            note="Approved by every party",
            recorded_by=by,
        )
    _audit_change(
        by,
        f"{by.agency.name} approved {agreement.reference} v{agreement.version}"
        + (
            "; now in force"
            if waiting == 0
            else f"; {waiting} part{'y' if waiting == 1 else 'ies'} still to approve"
        ),
        agreements=[f"{agreement.reference} v{agreement.version}"],
        request_id=request_id,
    )
    return agreement


@transaction.atomic
def suspend_agreement(
    *, by: Any, agreement: SharingAgreement, reason: str, request_id: str = ""
) -> SharingAgreement:
    """Stop all sharing under an agreement at once (any party's IG officer may)."""
    _require_ig_officer(by)
    agreement = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
    if not agreement.parties.filter(agency_id=by.agency_id).exists():
        raise SharingError(f"Your agency is not a party to {agreement.reference}.")
    if agreement.status not in {AgreementStatus.APPROVED, AgreementStatus.DRAFT}:
        raise SharingError(
            f"{agreement.reference} is already {agreement.get_status_display().lower()}."
        )
    if not reason.strip():
        raise SharingError("Say why the agreement is suspended.")
    agreement.status = AgreementStatus.SUSPENDED
    agreement.status_reason = reason.strip()
    agreement.updated_at = timezone.now()
    agreement.save()
    AgreementVersion.objects.create(
        agreement=agreement,
        version=agreement.version,
        snapshot=snapshot(agreement),
        note=f"Suspended: {reason.strip()[:180]}",
        recorded_by=by,
    )
    _audit_change(
        by,
        f"Suspended {agreement.reference}: {reason.strip()}",
        agreements=[f"{agreement.reference} v{agreement.version}"],
        request_id=request_id,
    )
    return agreement


@transaction.atomic
def expire_agreement(
    *, by: Any, agreement: SharingAgreement, request_id: str = ""
) -> SharingAgreement:
    """Mark an agreement expired (the policy already treats one past its end date as expired)."""
    agreement = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
    agreement.status = AgreementStatus.EXPIRED
    agreement.updated_at = timezone.now()
    agreement.save()
    AgreementVersion.objects.create(
        agreement=agreement,
        version=agreement.version,
        snapshot=snapshot(agreement),
        note="Expired",
        recorded_by=by,
    )
    _audit_change(by, f"Marked {agreement.reference} expired", request_id=request_id)
    return agreement


@transaction.atomic
def start_new_version(
    *, by: Any, agreement: SharingAgreement, request_id: str = ""
) -> SharingAgreement:
    """Open a new draft version of an approved, suspended or expired agreement.

    The old version stops permitting at once: sharing resumes when every party approves the new one.
    """
    _require_ig_officer(by)
    agreement = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status == AgreementStatus.DRAFT:
        raise SharingError(f"{agreement.reference} is already a draft: edit it.")
    if not agreement.parties.filter(agency_id=by.agency_id).exists():
        raise SharingError(f"Your agency is not a party to {agreement.reference}.")
    AgreementVersion.objects.create(
        agreement=agreement,
        version=agreement.version,
        snapshot=snapshot(agreement),
        note=f"Superseded by version {agreement.version + 1}",
        recorded_by=by,
    )
    agreement.version += 1
    agreement.status = AgreementStatus.DRAFT
    agreement.status_reason = ""
    agreement.updated_at = timezone.now()
    agreement.save()
    _audit_change(
        by, f"Started version {agreement.version} of {agreement.reference}", request_id=request_id
    )
    return agreement


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
    _audit_change(
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
    _audit_change(
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
    _audit_change(
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
    _require_ig_officer(by)
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
    _audit_change(
        by,
        f"Reviewed emergency access #{grant.pk}: {grant.get_review_outcome_display()}",
        family_public_id=grant.family_public_id,
        break_glass_id=grant.pk,
        request_id=request_id,
    )
    return grant
