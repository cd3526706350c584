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
    SubjectAccessRequest,
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
    _seed_personal_data(context, police)
    ig = UserFactory(username="seed-police-ig", agency=police, role=Role.IG_OFFICER)
    subject_access = SubjectAccessRequest.objects.create(
        person_public_id="P-ACCESS01",
        requester="Seed requester",
        received_on=today,
        agency=police,
        handled_by=ig,
    )
    context["sharing"] = {
        "approved": approved,
        "draft": draft,
        "grant": grant,
        "subject_access": subject_access,
    }


def _seed_personal_data(context: dict[str, Any], police: Any) -> None:
    """Records, events and a family behind the access-test URLs, with values no access-test
    user may ever see (they have no relationship and no agreement): the enumeration test
    checks that none of ``personal_values`` reaches a page."""
    from wraparound.matching.models import Family, FamilyMembership, Person
    from wraparound.records.models import Extract, SourceEvent, SourceRecord

    extract = Extract.objects.create(
        agency=police,
        dataset_kind="incidents",
        file_name="seed-incidents.csv",
        sha256="1" * 64,
        file_format="csv",
        received_at=timezone.now(),
        warnings=[{"row": 2, "column": "DOB", "value": "Sentinelcellvalue", "reason": "bad"}],
    )
    context["records_extract"].warnings = extract.warnings
    context["records_extract"].save(update_fields=["warnings"])
    dob = dt.date(2013, 7, 19)
    records = [
        SourceRecord.objects.create(
            extract=extract,
            row_number=n,
            record_key=key,
            source_id=key.rsplit(":", 1)[-1],
            first_name="Sentinelfirst",
            surname="Sentinelsurname",
            dob=dob,
            nhs_number="9990001112",
            postcode="ZZ9 9ZZ",
        )
        for n, key in enumerate(["seed:people:1", "seed:people:2"], start=1)
    ]
    SourceEvent.objects.create(
        extract=extract,
        record=records[0],
        row_number=1,
        event_key="seed:people:1:incident:1",
        kind="domestic_abuse_incident",
        event_date=dob,
        detail="Sentineleventdetail",
    )
    family = Family.objects.create(public_id="F-ACCESS01")
    person = Person.objects.get(public_id="P-ACCESS01")
    FamilyMembership.objects.create(family=family, person=person)
    context["personal"] = {"surname": "Sentinelsurname", "dob": dob.isoformat()}
    context.setdefault("personal_values", []).extend(
        [
            "Sentinelfirst",
            "Sentinelsurname",
            "9990001112",
            "ZZ9 9ZZ",
            "Sentineleventdetail",
            "Sentinelcellvalue",
            "2013-07-19",
            "19 Jul 2013",
        ]
    )
