"""Seed data for the access-by-role test: agencies, an agreement, a draft, a break-glass use."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from wraparound.core.models import AgencyKind, Role
from wraparound.core.tests.factories import AgencyFactory, UserFactory
from wraparound.sharing import audit
from wraparound.sharing.models import (
    AgreementParty,
    AgreementStatus,
    BreakGlassGrant,
    CareRelationship,
    ConsentRecord,
    SharedCategory,
    SharingAgreement,
)


def seed(context: dict[str, Any]) -> None:
    police = AgencyFactory(slug="seed-police", name="Seed Constabulary", kind=AgencyKind.POLICE)
    health = AgencyFactory(slug="seed-health", name="Seed Health", kind=AgencyKind.HEALTH)
    worker = UserFactory(username="seed-police-worker", agency=police, role=Role.PRACTITIONER)
    today = timezone.localdate()
    approved = SharingAgreement.objects.create(
        reference="DSA-SEED-1",
        title="Seed safeguarding agreement",
        purpose_statement="Seed",
        purposes=["safeguarding"],
        data_subjects=["child"],
        retention="6 years",
        start_date=today - dt.timedelta(days=10),
        status=AgreementStatus.APPROVED,
    )
    draft = SharingAgreement.objects.create(
        reference="DSA-SEED-2",
        title="Seed draft agreement",
        purpose_statement="Seed draft",
        purposes=["early_help_coordination"],
        data_subjects=["child"],
        retention="6 years",
        start_date=today,
        consent_required=True,
    )
    for agreement in (approved, draft):
        for agency in (police, health):
            AgreementParty.objects.create(
                agreement=agreement,
                agency=agency,
                lawful_bases=["ART6_1_E"],
                approved_version=1 if agreement is approved else None,
            )
        SharedCategory.objects.create(
            agreement=agreement, providing_agency=health, category="health"
        )
    CareRelationship.objects.create(
        family_public_id="F-SEED0001", kind="allocated_worker", user=worker, agency=police
    )
    ConsentRecord.objects.create(
        family_public_id="F-SEED0001", decision="given", recorded_by=worker
    )
    grant = BreakGlassGrant.objects.create(
        user=worker,
        family_public_id="F-SEED0002",
        reason="Seeded emergency access for the access test",
        categories=["health"],
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    grant.alerted_agencies.set([health])
    audit.record_access(
        user=worker, action="view", outcome="deny", family_public_id="F-SEED0003", reason="seed"
    )
    context["sharing"] = {"approved": approved, "draft": draft, "grant": grant}
