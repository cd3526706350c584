"""Builders for sharing tests: agreements in a given state, relationships, consent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from wraparound.core.models import Agency, AgencyKind, Role
from wraparound.core.tests.factories import AgencyFactory, UserFactory
from wraparound.sharing.models import (
    AgreementParty,
    AgreementStatus,
    CareRelationship,
    ConsentRecord,
    RelationshipKind,
    SharedCategory,
    SharingAgreement,
)

_counter = iter(range(1, 1_000_000))


def agency(kind: str, slug: str | None = None, name: str | None = None) -> Agency:
    slug = slug or f"{kind.replace('_', '-')}-agency"
    statutory = kind != AgencyKind.VOLUNTARY
    return AgencyFactory(
        slug=slug, name=name or f"Test {kind.replace('_', ' ')}", kind=kind, is_statutory=statutory
    )


def worker(at: Agency, role: str = Role.PRACTITIONER, **kwargs: Any) -> Any:
    return UserFactory(agency=at, role=role, **kwargs)


def agreement(
    *,
    parties: Iterable[Agency],
    shares: Iterable[tuple[Agency, str]],
    purposes: Iterable[str] = ("safeguarding",),
    status: str = AgreementStatus.APPROVED,
    consent_required: bool = False,
    no_consent_conditions: Iterable[str] = (),
    start: dt.date | None = None,
    end: dt.date | None = None,
    approved_by_all: bool | None = None,
) -> SharingAgreement:
    """An agreement built directly (services are tested separately)."""
    n = next(_counter)
    today = timezone.localdate()
    made = SharingAgreement.objects.create(
        reference=f"DSA-T{n:03d}",
        title=f"Test agreement {n}",
        purpose_statement="For testing the policy.",
        purposes=list(purposes),
        data_subjects=["child", "parent"],
        consent_required=consent_required,
        no_consent_conditions=list(no_consent_conditions),
        retention="Until the child is 25",
        start_date=start or today - dt.timedelta(days=30),
        end_date=end,
        status=status,
    )
    approved = status == AgreementStatus.APPROVED if approved_by_all is None else approved_by_all
    for party in dict.fromkeys(parties):
        AgreementParty.objects.create(
            agreement=made,
            agency=party,
            lawful_bases=["ART6_1_E"],
            approved_version=made.version if approved else None,
            approved_at=timezone.now() if approved else None,
        )
    for provider, category in shares:
        SharedCategory.objects.create(agreement=made, providing_agency=provider, category=category)
    return made


def relationship(
    user: Any,
    family: str,
    kind: str = RelationshipKind.ALLOCATED_WORKER,
    purpose: str = "safeguarding",
    **kwargs: Any,
) -> CareRelationship:
    """A relationship built directly; held for safeguarding (the widest purpose) unless said,
    so tests of agreements and consent are not also tests of the purpose rule."""
    return CareRelationship.objects.create(
        family_public_id=family, kind=kind, user=user, agency=user.agency, purpose=purpose, **kwargs
    )


def consent(family: str, decision: str, by: Any, **kwargs: Any) -> ConsentRecord:
    return ConsentRecord.objects.create(
        family_public_id=family, decision=decision, recorded_by=by, **kwargs
    )


def family(public_id: str, people: Iterable[str] = ()) -> Any:
    """A family in the master index (with members), so writes about it can name it."""
    from wraparound.matching.models import Family, FamilyMembership, Person

    made, _ = Family.objects.get_or_create(public_id=public_id)
    for person_id in people:
        person, _ = Person.objects.get_or_create(public_id=person_id)
        FamilyMembership.objects.get_or_create(family=made, person=person)
    return made
