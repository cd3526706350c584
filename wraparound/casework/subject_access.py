"""What the partnership holds about a person, for the IG officers' subject access report.

Registered with `wraparound.sharing.subject_data` when the app starts: the agency records
linked to the person in the master index, and every event those records carry.
"""

from __future__ import annotations

from wraparound.records.models import SourceEvent, SourceRecord
from wraparound.sharing.subject_data import SubjectSection


def families_of_person(person_public_id: str) -> list[str]:
    from wraparound.matching.models import FamilyMembership

    return list(
        FamilyMembership.objects.filter(person__public_id=person_public_id).values_list(
            "family__public_id", flat=True
        )
    )


def agency_records(person_public_id: str, families: list[str]) -> list[SubjectSection]:
    from wraparound.matching.models import PersonRecordLink

    keys = list(
        PersonRecordLink.objects.filter(person__public_id=person_public_id).values_list(
            "record_key", flat=True
        )
    )
    records = SourceRecord.objects.filter(record_key__in=keys).select_related("extract__agency")
    events = SourceEvent.objects.filter(record__record_key__in=keys).select_related(
        "extract__agency"
    )
    return [
        SubjectSection(
            "Agency records linked to this person",
            ["Agency", "Dataset", "Agency's id", "Name", "Date of birth", "Postcode", "Extract"],
            [
                [
                    r.extract.agency.name,
                    r.extract.dataset_kind,
                    r.source_id,
                    " ".join(p for p in (r.first_name, r.middle_names, r.surname) if p),
                    r.dob.isoformat() if r.dob else "",
                    r.postcode or "",
                    f"{r.extract.file_name} ({r.extract.get_status_display()})",
                ]
                for r in records.order_by("extract__agency__name", "source_id")
            ],
            note="Includes records from superseded extracts, which are kept as history.",
        ),
        SubjectSection(
            "Events agencies recorded about this person",
            ["Date", "Event", "Agency", "Detail"],
            [
                [e.event_date.isoformat(), e.kind, e.extract.agency.name, e.detail or ""]
                for e in events.order_by("event_date")
            ],
        ),
    ]
