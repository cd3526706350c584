"""Consent: recorded only by someone who works with the family, for a family that exists.

A decision takes effect on the very next policy decision (the latest record in scope wins),
so a withdrawal stops sharing at once for every reader it affects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from wraparound.core.models import Role, User
from wraparound.sharing import subjects
from wraparound.sharing.catalogues import catalogues
from wraparound.sharing.models import (
    CareRelationship,
    ConsentDecision,
    ConsentMethod,
    ConsentRecord,
    SharingAgreement,
)
from wraparound.sharing.policy import relationships_of
from wraparound.sharing.services.base import SharingError, action, audit_change

RECORDING_ROLES = frozenset({Role.PRACTITIONER, Role.TEAM_MANAGER, Role.IG_OFFICER})


def may_record_consent(by: User, family_public_id: str, now: dt.datetime | None = None) -> str:
    """Why ``by`` may not record consent for the family ("" when they may).

    Practitioners and team managers need a current relationship with the family; an IG officer
    records consent their own agency collected, so their agency must work with the family.
    """
    if getattr(by, "role", None) not in RECORDING_ROLES:
        return "Only practitioners, team managers and IG officers record consent."
    now = now or timezone.now()
    if by.role == Role.IG_OFFICER:
        active = CareRelationship.objects.filter(
            family_public_id=family_public_id, agency_id=by.agency_id or 0, started_at__lte=now
        ).exclude(ended_at__lte=now)
        if not active.exists():
            return (
                f"Your agency does not work with family {family_public_id}: an IG officer records "
                "consent only for families their own agency collected it from."
            )
        return ""
    if not relationships_of(by, family_public_id, now).exists():
        return (
            f"You have no current relationship with family {family_public_id}: consent is "
            "recorded by a worker allocated to the family or in its team."
        )
    return ""


@action
def record_consent(
    *,
    by: User,
    family_public_id: str,
    decision: str,
    given_by: str,
    method: str = "",
    person_public_id: str = "",
    agreement: SharingAgreement | None = None,
    categories: Iterable[str] = (),
    purposes: Iterable[str] = (),
    no_consent_condition: str = "",
    notes: str = "",
    request_id: str = "",
) -> ConsentRecord:
    """Record consent given, refused or withdrawn (effective at once), or a no-consent decision."""
    family_public_id, person_public_id = family_public_id.strip(), person_public_id.strip()
    if not family_public_id:
        raise SharingError("Give the family's id (F-...).")
    if not subjects.family_exists(family_public_id):
        raise SharingError(f"There is no family {family_public_id} in the master index.")
    if person_public_id and not subjects.person_in_family(person_public_id, family_public_id):
        raise SharingError(f"{person_public_id} is not a member of family {family_public_id}.")
    refusal = may_record_consent(by, family_public_id)
    if refusal:
        raise SharingError(refusal)
    cats = catalogues()
    if decision not in ConsentDecision.values:
        raise SharingError(f"Unknown consent decision {decision!r}.")
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
        method = method or ConsentMethod.NOT_APPLICABLE
    else:
        if no_consent_condition:
            raise SharingError("A no-consent condition only goes with 'shared without consent'.")
        if not given_by.strip():
            raise SharingError("Say who gave, refused or withdrew consent (name and relation).")
        if method not in ConsentMethod.values or method == ConsentMethod.NOT_APPLICABLE:
            raise SharingError("Say how consent was given: in person, by telephone or in writing.")
    record = ConsentRecord.objects.create(
        family_public_id=family_public_id,
        person_public_id=person_public_id,
        decision=decision,
        no_consent_condition=no_consent_condition,
        agreement=agreement,
        categories=categories,
        purposes=purposes,
        given_by=given_by.strip(),
        method=method,
        notes=notes,
        recorded_by=by,
    )
    audit_change(
        by,
        f"Recorded {record.get_decision_display().lower()}"
        + (f" from {record.given_by} ({record.get_method_display().lower()})" if given_by else ""),
        family_public_id=record.family_public_id,
        person_public_id=record.person_public_id,
        consent_ref=f"consent-{record.pk}",
        no_consent_reason=no_consent_condition,
        agreements=[f"{agreement.reference} v{agreement.version}"] if agreement else [],
        request_id=request_id,
    )
    return record
