"""Writes to sharing agreements: draft, edit, approve per party, suspend, expire, new version.

Each is one transaction that re-reads the agreement under a row lock, checks who is acting,
changes it and appends an ``amend`` entry to the audit chain. Every change bumps the
agreement's ``revision``; an edit made from an older revision is refused with what changed
(two IG officers editing one draft never silently revert each other).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from wraparound.core.models import Agency, User
from wraparound.sharing.catalogues import catalogues
from wraparound.sharing.models import (
    AgreementParty,
    AgreementStatus,
    AgreementVersion,
    DataSubject,
    SharedCategory,
    SharingAgreement,
)
from wraparound.sharing.readers import agency_name
from wraparound.sharing.services.base import (
    SharingError,
    StaleEditError,
    action,
    audit_change,
    require_ig_officer,
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
    operational_suppression_threshold: int | None = None
    operational_roles: list[str] = field(default_factory=list)


def _suppression_problems(draft: AgreementDraft) -> list[str]:
    """An operational threshold is lower than publication's, for named roles, on aggregates."""
    from django.conf import settings

    from wraparound.core.models import Role

    threshold, roles = draft.operational_suppression_threshold, draft.operational_roles
    publication = int(settings.SUPPRESSION_THRESHOLD)
    problems = [f"unknown role {r!r}" for r in roles if r not in Role.values]
    if threshold is None:
        return problems + (["name no roles without an operational threshold"] if roles else [])
    if threshold < 2 or threshold >= publication:
        problems.append(
            f"the operational threshold must be from 2 to {publication - 1} (publication "
            f"suppression hides counts below {publication})"
        )
    if not roles:
        problems.append("name the roles that see figures at the operational threshold")
    if not any(
        catalogues().purposes[p].aggregate for p in draft.purposes if p in catalogues().purposes
    ):
        problems.append("an operational threshold needs an aggregate purpose")
    return problems


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
    problems += _suppression_problems(draft)
    if problems:
        raise SharingError("The agreement cannot be saved: " + "; ".join(problems) + ".")


def snapshot(agreement: SharingAgreement) -> dict[str, Any]:
    """The agreement's content as plain data, for the version history."""
    return {
        "reference": agreement.reference,
        "title": agreement.title,
        "version": agreement.version,
        "revision": agreement.revision,
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
        "operational_suppression_threshold": agreement.operational_suppression_threshold,
        "operational_roles": agreement.operational_roles,
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
    "review_date", "operational_suppression_threshold", "operational_roles",
)  # fmt: skip


def _lock(
    agreement: SharingAgreement,
    by: User,
    *,
    party: bool = True,
    expected_revision: int | None = None,
) -> SharingAgreement:
    """Re-read the agreement under a row lock; check the IG officer's agency is a party and
    that nobody has saved it since the acting officer opened it (``expected_revision``)."""
    require_ig_officer(by)
    locked = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
    if party and not locked.parties.filter(agency_id=by.agency_id or 0).exists():
        raise SharingError(f"Your agency is not a party to {locked.reference}.")
    if expected_revision is not None and expected_revision != locked.revision:
        raise StaleEditError(
            f"{locked.reference} was changed by someone else since you opened it "
            f"(revision {expected_revision}, now {locked.revision}). Nothing was saved: "
            "check their changes and try again.",
            changes_since(locked, expected_revision),
        )
    return locked


def _set_status(agreement: SharingAgreement, status: str, reason: str = "") -> None:
    agreement.status, agreement.status_reason = status, reason
    _save_revision(agreement)


def _save_revision(agreement: SharingAgreement) -> None:
    agreement.revision += 1
    agreement.updated_at = timezone.now()
    agreement.save()


def _keep_version(agreement: SharingAgreement, by: User, note: str) -> None:
    AgreementVersion.objects.create(
        agreement=agreement,
        version=agreement.version,
        snapshot=snapshot(agreement),
        note=note[:200],
        recorded_by=by,
    )


def _ref(agreement: SharingAgreement) -> list[str]:
    return [f"{agreement.reference} v{agreement.version}"]


@action
def create_agreement(*, by: User, draft: AgreementDraft, request_id: str = "") -> SharingAgreement:
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
    _keep_version(agreement, by, "Drafted (revision 1)")
    audit_change(by, f"Drafted agreement {agreement.reference} v1", request_id=request_id)
    return agreement


@action
def update_draft(
    *,
    by: User,
    agreement: SharingAgreement,
    draft: AgreementDraft,
    expected_revision: int | None = None,
    request_id: str = "",
) -> SharingAgreement:
    """Change a draft. Approved agreements are revised into a new version instead.

    ``expected_revision`` is the revision the editor opened; when someone has saved since,
    the edit is refused and the error lists what they changed.
    """
    agreement = _lock(agreement, by, party=False, expected_revision=expected_revision)
    if agreement.status != AgreementStatus.DRAFT:
        raise SharingError(
            f"{agreement.reference} is {agreement.get_status_display().lower()}: start a new "
            "version to change it."
        )
    draft.reference = agreement.reference
    _validate(draft)
    for name in _FIELDS:
        setattr(agreement, name, getattr(draft, name))
    _save_revision(agreement)
    _write_parties(agreement, draft.parties)
    _keep_version(agreement, by, f"Draft edited (revision {agreement.revision})")
    audit_change(
        by, f"Edited draft {agreement.reference} v{agreement.version}", request_id=request_id
    )
    return agreement


@action
def approve_agreement(
    *,
    by: User,
    agreement: SharingAgreement,
    expected_revision: int | None = None,
    request_id: str = "",
) -> SharingAgreement:
    """Record the approval of the acting IG officer's agency; the last approval brings it in force.

    With ``expected_revision``, an approval of a draft someone has edited since it was read
    is refused: an officer approves only the text they saw.
    """
    agreement = _lock(agreement, by, expected_revision=expected_revision)
    if agreement.status != AgreementStatus.DRAFT:
        raise SharingError(
            f"{agreement.reference} is {agreement.get_status_display().lower()}; only drafts "
            "are approved. Start a new version to change it."
        )
    party = agreement.parties.get(agency_id=by.agency_id or 0)
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
    else:
        _save_revision(agreement)
    audit_change(
        by,
        f"{agency_name(by)} approved {agreement.reference} v{agreement.version}"
        + (
            "; now in force"
            if waiting == 0
            else f"; {waiting} part{'y' if waiting == 1 else 'ies'} still to approve"
        ),
        agreements=_ref(agreement),
        request_id=request_id,
    )
    return agreement


@action
def suspend_agreement(
    *, by: User, agreement: SharingAgreement, reason: str, request_id: str = ""
) -> SharingAgreement:
    """Stop all sharing under an agreement at once (any party's IG officer may)."""
    agreement = _lock(agreement, by)
    if agreement.status == AgreementStatus.DRAFT:
        raise SharingError(
            f"{agreement.reference} is a draft: it permits nothing until every party approves "
            "it, so there is nothing to suspend."
        )
    if agreement.status != AgreementStatus.APPROVED:
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


@action
def expire_agreement(
    *, by: User, agreement: SharingAgreement, request_id: str = ""
) -> SharingAgreement:
    """Mark an agreement expired (the policy already treats one past its end date as expired).

    An IG officer's action (the demo loader uses it for its historical agreement)."""
    agreement = _lock(agreement, by, party=False)
    _set_status(agreement, AgreementStatus.EXPIRED)
    _keep_version(agreement, by, "Expired")
    audit_change(by, f"Marked {agreement.reference} expired", request_id=request_id)
    return agreement


@action
def start_new_version(
    *, by: User, agreement: SharingAgreement, request_id: str = ""
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


def changes_since(agreement: SharingAgreement, revision: int) -> list[str]:
    """What differs between the agreement at ``revision`` and now, field by field, and who."""
    then = next(
        (
            v
            for v in agreement.versions.order_by("-recorded_at", "-pk")
            if v.snapshot.get("revision") == revision
        ),
        None,
    )
    latest = agreement.versions.order_by("-recorded_at", "-pk").first()
    who = (
        f" (last saved by {latest.recorded_by} at {timezone.localtime(latest.recorded_at):%H:%M})"
        if latest is not None and latest.recorded_by is not None
        else ""
    )
    if then is None:
        return [f"revision {revision} is not in the history{who}"]
    now = snapshot(agreement)
    skip = {"revision", "version", "status"}
    changed = [
        f"{name.replace('_', ' ')}: {then.snapshot.get(name)!r} -> {now.get(name)!r}"
        for name in now
        if name not in skip and then.snapshot.get(name) != now.get(name)
    ]
    return [*changed, f"saved{who}"] if changed else [f"status or approvals only{who}"]
