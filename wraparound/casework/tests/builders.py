"""A small family known to three agencies, linked in the master index, for casework tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from wraparound.core.models import Agency, AgencyKind
from wraparound.records.models import Extract, SourceEvent, SourceRecord
from wraparound.sharing.tests import factories as sharing


@dataclass
class KnownFamily:
    family_public_id: str
    police: Agency
    health: Agency
    early_help: Agency
    mother_key: str
    child_key: str


def _extract(agency: Agency, kind: str) -> Extract:
    return Extract.objects.create(
        agency=agency,
        dataset_kind=kind,
        file_name=f"{kind}.csv",
        sha256=f"{agency.slug}-{kind}".ljust(64, "0")[:64],
        file_format="csv",
        received_at=timezone.now(),
    )


def _record(
    extract: Extract, source_id: str, first: str, surname: str, dob: dt.date
) -> SourceRecord:
    return SourceRecord.objects.create(
        extract=extract,
        row_number=1,
        record_key=f"{extract.agency.slug}:{extract.dataset_kind}:{source_id}",
        source_id=source_id,
        first_name=first,
        surname=surname,
        dob=dob,
    )


def _event(extract: Extract, record: SourceRecord, kind: str, when: dt.date, n: int) -> SourceEvent:
    return SourceEvent.objects.create(
        extract=extract,
        record=record,
        row_number=n,
        event_key=f"{record.record_key}:{kind}:{n}",
        kind=kind,
        event_date=when,
    )


def known_family(family_public_id: str = "F-TEST0001", extra_events: int = 0) -> KnownFamily:
    """Mother and child: police saw domestic abuse, health saw missed contacts.

    ``extra_events`` adds that many more dated events spread over both agencies (benchmarks).
    """
    from wraparound.matching.models import Family, FamilyMembership, Person, PersonRecordLink

    police = sharing.agency(
        AgencyKind.POLICE, slug="hartshire-police", name="Hartshire Constabulary"
    )
    health = sharing.agency(AgencyKind.HEALTH, slug="community-health", name="Community Health")
    early_help = sharing.agency(AgencyKind.EARLY_HELP, slug="early-help", name="Early Help")
    today = timezone.localdate()
    police_x = _extract(police, "incidents")
    health_x = _extract(health, "health-visiting")
    mother_p = _record(police_x, "PN1", "Kelly", "Booth", dt.date(1994, 3, 2))
    child_h = _record(health_x, "HV9", "Ruby", "Booth", dt.date(2024, 6, 1))
    mother_h = _record(health_x, "HV8", "Kelly", "Booth", dt.date(1994, 3, 2))
    for n in range(3):
        _event(
            police_x,
            mother_p,
            "domestic_abuse_incident",
            today - dt.timedelta(days=30 * (n + 1)),
            n,
        )
    _event(health_x, child_h, "missed_health_contact", today - dt.timedelta(days=10), 1)
    _event(health_x, child_h, "missed_health_contact", today - dt.timedelta(days=40), 2)
    for n in range(extra_events):
        extract, record, kind = (
            (police_x, mother_p, "domestic_abuse_incident")
            if n % 2
            else (health_x, child_h, "missed_health_contact")
        )
        _event(extract, record, kind, today - dt.timedelta(days=n), 100 + n)

    family = Family.objects.create(public_id=family_public_id)
    mother = Person.objects.create(public_id="P-MOTHER01")
    child = Person.objects.create(public_id="P-CHILD001")
    FamilyMembership.objects.create(family=family, person=mother, role="adult")
    FamilyMembership.objects.create(family=family, person=child, role="child")
    for person, record in ((mother, mother_p), (mother, mother_h), (child, child_h)):
        PersonRecordLink.objects.create(
            person=person, record_key=record.record_key, match_probability=0.999, why={}
        )
    return KnownFamily(
        family_public_id, police, health, early_help, mother_p.record_key, child_h.record_key
    )


def early_help_may_see_police_not_health(family: KnownFamily) -> Any:
    """An approved safeguarding + early help agreement sharing police data only."""
    return sharing.agreement(
        parties=[family.police, family.health, family.early_help],
        shares=[(family.police, "identity"), (family.police, "police")],
        purposes=["early_help_coordination"],
    )
