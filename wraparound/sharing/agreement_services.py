"""Writes to sharing agreements: draft, edit, approve per party, suspend, expire, new version.

Each is one transaction that re-reads the agreement under a row lock, checks who is acting,
changes it and appends an ``amend`` entry to the audit chain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from wraparound.core.models import Agency
from wraparound.sharing.actions import SharingError, audit_change, require_ig_officer
from wraparound.sharing.catalogues import catalogues
from wraparound.sharing.models import (
    AgreementParty,
    AgreementStatus,
    AgreementVersion,
    DataSubject,
    SharedCategory,
    SharingAgreement,
)


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


def _lock(agreement: SharingAgreement, by: Any, *, party: bool = True) -> SharingAgreement:
    """Re-read the agreement under a row lock; check the IG officer's agency is a party."""
    require_ig_officer(by)
    locked = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
    if party and not locked.parties.filter(agency_id=by.agency_id).exists():
        raise SharingError(f"Your agency is not a party to {locked.reference}.")
    return locked


def _set_status(agreement: SharingAgreement, status: str, reason: str = "") -> None:
    agreement.status, agreement.status_reason = status, reason
    agreement.updated_at = timezone.now()
    agreement.save()


def _keep_version(agreement: SharingAgreement, by: Any, note: str) -> None:
    AgreementVersion.objects.create(
        agreement=agreement,
        version=agreement.version,
        snapshot=snapshot(agreement),
        note=note[:200],
        recorded_by=by,
    )


def _ref(agreement: SharingAgreement) -> list[str]:
    return [f"{agreement.reference} v{agreement.version}"]


@transaction.atomic
def create_agreement(*, by: Any, draft: AgreementDraft, request_id: str = "") -> SharingAgreement:
    """Draft a new agreement; it permits nothing until every party's IG officer approves it."""
    require_ig_officer(by)
    _validate(draft)
    if SharingAgreement.objects.filter(reference=draft.reference).exists():
        raise SharingError(f"An agreement with reference {draft.reference!r} already exists.")
    agreement = SharingAgreement.objects.create(
        reference=draft.reference,
        created_by=by,
        **{name: getattr(draft, name) for name in _FIELDS},
    )
    _write_parties(agreement, draft.parties)
    audit_change(by, f"Drafted agreement {agreement.reference} v1", request_id=request_id)
    return agreement


@transaction.atomic
def update_draft(
    *, by: Any, agreement: SharingAgreement, draft: AgreementDraft, request_id: str = ""
) -> SharingAgreement:
    """Change a draft. Approved agreements are revised into a new version instead."""
    agreement = _lock(agreement, by, party=False)
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
    audit_change(
        by, f"Edited draft {agreement.reference} v{agreement.version}", request_id=request_id
    )
    return agreement


@transaction.atomic
def approve_agreement(
    *, by: Any, agreement: SharingAgreement, request_id: str = ""
) -> SharingAgreement:
    """Record the approval of the acting IG officer's agency; the last approval brings it in force."""
    agreement = _lock(agreement, by)
    if agreement.status != AgreementStatus.DRAFT:
        raise SharingError(
            f"{agreement.reference} is {agreement.get_status_display().lower()}; only drafts "
            "are approved. Start a new version to change it."
        )
    party = agreement.parties.get(agency_id=by.agency_id)
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
        _set_status(agreement, AgreementStatus.APPROVED)
        _keep_version(agreement, by, "Approved by every party")
    audit_change(
        by,
        f"{by.agency.name} approved {agreement.reference} v{agreement.version}"
        + (
            "; now in force"
            if waiting == 0
            else f"; {waiting} part{'y' if waiting == 1 else 'ies'} still to approve"
        ),
        agreements=_ref(agreement),
        request_id=request_id,
    )
    return agreement


@transaction.atomic
def suspend_agreement(
    *, by: Any, agreement: SharingAgreement, reason: str, request_id: str = ""
) -> SharingAgreement:
    """Stop all sharing under an agreement at once (any party's IG officer may)."""
    agreement = _lock(agreement, by)
    if agreement.status not in {AgreementStatus.APPROVED, AgreementStatus.DRAFT}:
        raise SharingError(
            f"{agreement.reference} is already {agreement.get_status_display().lower()}."
        )
    if not reason.strip():
        raise SharingError("Say why the agreement is suspended.")
    _set_status(agreement, AgreementStatus.SUSPENDED, reason.strip())
    _keep_version(agreement, by, f"Suspended: {reason.strip()}")
    audit_change(
        by,
        f"Suspended {agreement.reference}: {reason.strip()}",
        agreements=_ref(agreement),
        request_id=request_id,
    )
    return agreement


@transaction.atomic
def expire_agreement(
    *, by: Any, agreement: SharingAgreement, request_id: str = ""
) -> SharingAgreement:
    """Mark an agreement expired (the policy already treats one past its end date as expired).

    An IG officer's action (the demo loader uses it for its historical agreement)."""
    agreement = _lock(agreement, by, party=False)
    _set_status(agreement, AgreementStatus.EXPIRED)
    _keep_version(agreement, by, "Expired")
    audit_change(by, f"Marked {agreement.reference} expired", request_id=request_id)
    return agreement


@transaction.atomic
def start_new_version(
    *, by: Any, agreement: SharingAgreement, request_id: str = ""
) -> SharingAgreement:
    """Open a new draft version of an approved, suspended or expired agreement.

    The old version stops permitting at once: sharing resumes when every party approves the new one.
    """
    agreement = _lock(agreement, by)
    if agreement.status == AgreementStatus.DRAFT:
        raise SharingError(f"{agreement.reference} is already a draft: edit it.")
    _keep_version(agreement, by, f"Superseded by version {agreement.version + 1}")
    agreement.version += 1
    _set_status(agreement, AgreementStatus.DRAFT)
    audit_change(
        by, f"Started version {agreement.version} of {agreement.reference}", request_id=request_id
    )
    return agreement
