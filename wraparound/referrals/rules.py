"""What a referral must satisfy before it is sent, and its working-day clock.

Pure checks over plain inputs plus the agreements, so the form's "check your answers" page,
the JSON API and the service all refuse the same things with the same words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone

from wraparound.core import working_days
from wraparound.core.labels import label
from wraparound.core.models import Agency, Role
from wraparound.directory.vocabulary import outcome_labels
from wraparound.referrals.models import ConsentBasis, Urgency
from wraparound.sharing import agreement_cache, subjects
from wraparound.sharing.catalogues import catalogues, category_label, primary_category_for_kind
from wraparound.sharing.models import AgreementStatus, ConsentMethod, SharingAgreement

REFERRING_ROLES = frozenset({Role.PRACTITIONER, Role.TEAM_MANAGER})
CONSENT_METHODS = {m.value: m.label for m in ConsentMethod if m != ConsentMethod.NOT_APPLICABLE}
MIN_REASON = 20


class ReferralError(Exception):
    """A referral action was refused; the message says what to change."""


class ReferralConflictError(ReferralError):
    """The referral's state does not allow that now (or it changed at the same moment)."""


class ReferralInvalidError(ReferralError):
    """The referral's details need changing: ``errors`` maps each field to what is wrong."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


@dataclass
class ReferralDraft:
    """A referral as typed into the form or posted to the API, before it is checked."""

    family_public_id: str
    to_agency_id: int | None = None
    to_service_id: str = ""
    purpose: str = "early_help_coordination"
    reason: str = ""
    needs: list[str] = field(default_factory=list)
    urgency: str = Urgency.STANDARD
    consent_basis: str = ""
    consent_given_by: str = ""
    consent_method: str = ""
    no_consent_condition: str = ""
    no_consent_reason: str = ""
    shared_categories: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    suggestion: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckedReferral:
    """A draft that passed every check, with what it resolved to."""

    draft: ReferralDraft
    to_agency: Agency
    to_service: Any  # directory Service or None
    agreement: SharingAgreement
    lawful_basis: str


def individual_purposes() -> dict[str, str]:
    """Purposes a referral may be made for: the casework purposes (a named family)."""
    return {code: p.label for code, p in catalogues().purposes.items() if p.reader == "casework"}


def agreement_between(
    from_agency: Agency, to_agency: Agency, purpose: str, today: dt.date
) -> SharingAgreement | None:
    """An agreement in force naming both agencies as parties for ``purpose``.

    One that does not rely on consent is preferred: its lawful basis then carries the referral.
    """
    found = []
    for agreement in agreement_cache.all_agreements():
        parties = list(agreement.parties.all())
        ids = {p.agency_id for p in parties}
        if (
            purpose in (agreement.purposes or [])
            and {from_agency.pk, to_agency.pk} <= ids
            and agreement.status == AgreementStatus.APPROVED
            and agreement.in_date(today)
            and all(p.approved_version == agreement.version for p in parties)
        ):
            found.append(agreement)
    found.sort(key=lambda a: (a.consent_required, a.reference))
    return found[0] if found else None


def _basis_text(agreement: SharingAgreement, agency: Agency) -> str:
    bases: list[str] = next(
        (p.lawful_bases for p in agreement.parties.all() if p.agency_id == agency.pk), []
    )
    return f"{agreement.reference} v{agreement.version}" + (
        f" ({'; '.join(label(b, 'lawful_basis') for b in bases)})" if bases else ""
    )


def _check_consent(
    draft: ReferralDraft, agreement: SharingAgreement, sender_agency: Agency
) -> tuple[dict[str, str], str]:
    """Errors about consent, and the lawful basis to record."""
    errors: dict[str, str] = {}
    basis = draft.consent_basis
    conditions = catalogues().no_consent_conditions
    if basis not in ConsentBasis.values:
        return {"consent_basis": "Say whether the family agreed to this referral."}, ""
    if basis == ConsentBasis.GIVEN:
        if not draft.consent_given_by.strip():
            errors["consent_given_by"] = "Say who agreed to the referral (for example 'Mother')."
        if draft.consent_method not in CONSENT_METHODS:
            errors["consent_method"] = "Say how they agreed: in person, by telephone or in writing."
        return errors, _basis_text(agreement, sender_agency) + "; UK GDPR Article 6(1)(a): consent"
    if basis == ConsentBasis.NOT_REQUIRED:
        if agreement.consent_required:
            errors["consent_basis"] = (
                f"{agreement.reference} relies on consent: record the family's agreement, or a "
                "condition for sharing without it."
            )
        return errors, _basis_text(agreement, sender_agency)
    # Without consent under a recorded condition.
    allowed = (
        list(agreement.no_consent_conditions or [])
        if agreement.consent_required
        else list(conditions)
    )
    if draft.no_consent_condition not in conditions:
        errors["no_consent_condition"] = (
            "Choose the legal condition you rely on to refer without consent."
        )
    elif draft.no_consent_condition not in allowed:
        errors["no_consent_condition"] = (
            f"{agreement.reference} does not allow sharing without consent under "
            f"{label(draft.no_consent_condition, 'no_consent_condition')}; it allows: "
            f"{'; '.join(label(c, 'no_consent_condition') for c in allowed) or 'no condition'}."
        )
    if len(draft.no_consent_reason.strip()) < MIN_REASON:
        errors["no_consent_reason"] = (
            f"Record why consent was not sought, in at least {MIN_REASON} characters."
        )
    return errors, _basis_text(
        agreement, sender_agency
    ) + f"; without consent: {draft.no_consent_condition}"


def check_draft(*, by: Any, draft: ReferralDraft, today: dt.date | None = None) -> CheckedReferral:
    """Every check a referral must pass before sending; raises ``ReferralInvalidError`` with all errors."""
    from wraparound.directory.models import Service

    if getattr(by, "role", None) not in REFERRING_ROLES or not getattr(by, "agency_id", None):
        raise ReferralError("Only practitioners and team managers of a partner agency refer.")
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if not subjects.family_exists(draft.family_public_id.strip()):
        errors["family_public_id"] = (
            f"There is no family {draft.family_public_id.strip() or '(blank)'} in the master "
            "index: check the id on the family's page."
        )
    service = None
    if draft.to_service_id:
        service = (
            Service.objects.select_related("organization__agency")
            .filter(pk=_uuid_or_none(draft.to_service_id))
            .first()
        )
        if service is None:
            errors["to_service_id"] = "No service in the directory has that id."
        elif service.organization is None or service.organization.agency is None:
            errors["to_service_id"] = (
                f"{service.name} is not run by a partner agency, so it cannot receive referrals "
                "here: give the family its contact details instead."
            )
        elif service.status != "active":
            errors["to_service_id"] = f"{service.name} is not taking referrals ({service.status})."
    to_agency = None
    if service is not None and service.organization and service.organization.agency:
        to_agency = service.organization.agency
    elif draft.to_agency_id:
        to_agency = Agency.objects.filter(pk=draft.to_agency_id).first()
        if to_agency is None:
            errors["to_agency_id"] = "Choose an agency from the list."
    elif "to_service_id" not in errors:
        errors["to_agency_id"] = "Choose the agency or service you are referring to."
    if to_agency is not None and to_agency.pk == by.agency_id and service is None:
        errors["to_agency_id"] = "Refer to another agency, or to one of your agency's services."
    if draft.purpose not in individual_purposes():
        errors["purpose"] = "Choose what the referral is for."
    if len(draft.reason.strip()) < MIN_REASON:
        errors["reason"] = f"Say why you are referring, in at least {MIN_REASON} characters."
    unknown_needs = [n for n in draft.needs if n not in outcome_labels()]
    if not draft.needs or unknown_needs:
        errors["needs"] = "Choose at least one need the referral is about."
    if draft.urgency not in Urgency.values:
        errors["urgency"] = "Choose how urgent the referral is."
    unknown = [c for c in draft.shared_categories if c not in catalogues().categories]
    if not draft.shared_categories or unknown:
        errors["shared_categories"] = "Choose what information you share with the referral."
    agreement = None
    if to_agency is not None and draft.purpose in individual_purposes():
        agreement = agreement_between(by.agency, to_agency, draft.purpose, today)
        unreadable = _unreadable_reason(by.agency, to_agency, draft.purpose, agreement)
        if unreadable:
            errors["to_service_id" if service is not None else "to_agency_id"] = unreadable
    if agreement is not None:
        consent_errors, basis = _check_consent(draft, agreement, by.agency)
        errors.update(consent_errors)
    elif draft.consent_basis not in ConsentBasis.values:
        errors["consent_basis"] = "Say whether the family agreed to this referral."
    if errors:
        raise ReferralInvalidError(errors)
    assert to_agency is not None
    assert agreement is not None
    return CheckedReferral(draft, to_agency, service, agreement, basis)


def _unreadable_reason(
    sender: Agency, receiver: Agency, purpose: str, agreement: SharingAgreement | None
) -> str:
    """Why the receiving agency could not read this referral, or "" when it could.

    The referral is the sending agency's record, so the sharing policy lets the receiver read
    it only under an agreement in force that shares the sender's service category with it.
    """
    label = individual_purposes().get(purpose, purpose).lower()
    if agreement is None:
        return (
            f"No sharing agreement in force between {sender.name} and {receiver.name} covers "
            f"{label}, so they could not read the referral: refer to another service, or ask "
            "your information governance officer."
        )
    category = primary_category_for_kind(sender.kind)
    if not any(
        s.providing_agency_id == sender.pk and s.category == category
        for s in agreement.shared_categories.all()
    ):
        return (
            f"{agreement.reference} does not share {category_label(category).lower()} "
            f"information from {sender.name}, so {receiver.name} could not read the referral."
        )
    return ""


def _uuid_or_none(raw: str) -> Any:
    import uuid

    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


# --- the clock ------------------------------------------------------------------------------


def decision_days(urgency: str) -> int:
    if urgency == Urgency.URGENT:
        return int(settings.REFERRAL_URGENT_DECISION_DAYS)
    return int(settings.REFERRAL_DECISION_DAYS)


@dataclass(frozen=True)
class Clock:
    """When a decision (or, while information is requested, the sender's answer) is due."""

    remind_at: dt.datetime  # the start of the last working day before it is due
    due_at: dt.datetime
    expires_at: dt.datetime


def clock_for(urgency: str, started_at: dt.datetime) -> Clock:
    days = decision_days(urgency)
    due_day = working_days.add_working_days(timezone.localdate(started_at), days)
    remind_at = max(started_at, working_days.end_of_day(due_day - dt.timedelta(days=1)))
    expiry_day = working_days.add_working_days(due_day, int(settings.REFERRAL_EXPIRY_DAYS))
    return Clock(remind_at, working_days.end_of_day(due_day), working_days.end_of_day(expiry_day))
