"""Reads for the clerical review pages.

The records shown side by side are personal data: only data analysts reach these pages
(role check in the views), and every page that shows a record writes an audit entry
through ``wraparound.sharing.audit`` in the same request.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from wraparound.matching.models import (
    IndexChange,
    LinkageRun,
    PairDecision,
    Person,
    PersonRecordLink,
    ReviewPair,
    ReviewStatus,
)

RECORD_FIELDS = (
    "first_name",
    "middle_names",
    "surname",
    "dob",
    "sex",
    "postcode",
    "address_line",
    "nhs_number",
    "upn",
    "household_ref",
    "recorded_at",
)
FIELD_LABELS = {
    "first_name": "First name",
    "middle_names": "Middle names",
    "surname": "Surname",
    "dob": "Date of birth",
    "sex": "Sex",
    "postcode": "Postcode",
    "address_line": "Address",
    "nhs_number": "NHS number",
    "upn": "UPN",
    "household_ref": "Agency household ref",
    "recorded_at": "Recorded",
}


def pending_pairs() -> QuerySet[ReviewPair]:
    return ReviewPair.objects.filter(status=ReviewStatus.PENDING)


def latest_run() -> LinkageRun | None:
    return LinkageRun.objects.first()


def source_records(record_keys: list[str]) -> dict[str, dict[str, Any]]:
    """The current source record behind each key (pipeline fields only)."""
    from wraparound.records.models import SourceRecord

    rows = (
        SourceRecord.objects.filter(record_key__in=record_keys)
        .select_related("extract__agency")
        .order_by("record_key", "-extract__received_at")
    )
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row.record_key not in found:
            found[row.record_key] = {
                "agency": row.extract.agency.name,
                "dataset": row.extract.dataset_kind,
                "source_id": row.source_id,
                **{field: getattr(row, field) for field in RECORD_FIELDS},
            }
    return found


def side_by_side(pair: ReviewPair) -> list[dict[str, Any]]:
    """One row per field: label, left value, right value, whether they agree."""
    records = source_records([pair.record_key_l, pair.record_key_r])
    left, right = records.get(pair.record_key_l, {}), records.get(pair.record_key_r, {})
    rows = []
    for field in ("agency", "dataset", "source_id", *RECORD_FIELDS):
        a, b = left.get(field), right.get(field)
        rows.append(
            {
                "label": FIELD_LABELS.get(field, field.replace("_", " ").capitalize()),
                "left": a,
                "right": b,
                "agree": a is not None and a == b,
            }
        )
    return rows


def person_of(record_key: str) -> Person | None:
    link = PersonRecordLink.objects.filter(record_key=record_key).select_related("person").first()
    return link.person if link else None


def decisions_for(pair: ReviewPair) -> QuerySet[PairDecision]:
    return PairDecision.objects.filter(
        record_key_l=pair.record_key_l, record_key_r=pair.record_key_r
    ).select_related("decided_by")


def person_links(person: Person) -> QuerySet[PersonRecordLink]:
    return person.links.order_by("record_key")


def index_history(limit: int = 100) -> QuerySet[IndexChange]:
    return IndexChange.objects.select_related("actor")[:limit]
