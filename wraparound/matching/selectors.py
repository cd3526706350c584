"""Reads for the clerical review pages.

The records shown side by side are personal data: they are read through the sharing gate
for the ``linkage_review`` purpose, which shows an analyst their own agency's records and
other agencies' fields only where an agreement for linkage review covers that category;
every other value is masked, and the read is audited in the same call (one entry per page).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from wraparound.matching.models import (
    FamilyMembership,
    IndexChange,
    LinkageRun,
    PairDecision,
    Person,
    PersonRecordLink,
    ReviewPair,
    ReviewStatus,
)
from wraparound.records.person_fields import PERSON_RECORD_FIELDS
from wraparound.sharing import gate
from wraparound.sharing.gate import Withheld
from wraparound.sharing.readers import Reader

RECORD_FIELDS = tuple(PERSON_RECORD_FIELDS)
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


# The data category of each compared field (data_categories.yaml): names and identifiers are
# identity, where someone lives is contact. Agency and dataset are not personal data.
FIELD_CATEGORY = {
    "source_id": "identity",
    "first_name": "identity",
    "middle_names": "identity",
    "surname": "identity",
    "dob": "identity",
    "sex": "identity",
    "nhs_number": "identity",
    "upn": "identity",
    "recorded_at": "identity",
    "postcode": "contact",
    "address_line": "contact",
    "household_ref": "contact",
}
WITHHELD = "Withheld"
REVIEW_PURPOSE = "linkage_review"


@dataclass(frozen=True)
class _Field:
    record_key: str
    name: str
    agency_id: int
    category: str


@dataclass
class ReviewRead:
    """Records as the reviewer may see them: masked fields say ``Withheld``."""

    records: dict[str, dict[str, Any]]
    withheld: list[Withheld]


def records_for_review(
    *,
    user: Reader,
    record_keys: list[str],
    person_public_id: str,
    note: str,
    request_id: str | None = None,
) -> ReviewRead:
    """The records behind ``record_keys``, masked by the policy, with the read audited."""
    raw = _source_records(record_keys)
    fields = [
        _Field(key, name, row["agency_id"], category)
        for key, row in raw.items()
        for name, category in FIELD_CATEGORY.items()
    ]
    read = gate.read(
        user=user,
        family_public_id="",
        person_public_id=person_public_id,
        purpose=REVIEW_PURPOSE,
        items=fields,
        note=note,
        request_id=request_id,
    )
    shown = {(f.record_key, f.name) for f in read.visible_items}
    masked = {
        key: {
            name: (value if name not in FIELD_CATEGORY or (key, name) in shown else WITHHELD)
            for name, value in row.items()
        }
        for key, row in raw.items()
    }
    return ReviewRead(masked, read.withheld)


@dataclass(frozen=True)
class QueueSide:
    """One side of a pair as the queue lists it: the key fields, masked as the pair page masks."""

    record_key: str
    name: str
    dob: Any
    postcode: Any
    nhs_number: Any


@dataclass(frozen=True)
class QueueRow:
    pair: ReviewPair
    left: QueueSide
    right: QueueSide


QUEUE_FIELDS = ("first_name", "surname", "dob", "postcode", "nhs_number")


def queue_rows(
    *, user: Reader, pairs: list[ReviewPair], note: str, request_id: str | None = None
) -> tuple[list[QueueRow], list[Withheld]]:
    """The names and key fields of both sides of each listed pair, through the policy.

    One gate read (one audit entry) for the page's records; what the pair page would mask
    reads ``Withheld`` here too, so the list never shows more than the detail page.
    """
    keys = list(dict.fromkeys(k for p in pairs for k in (p.record_key_l, p.record_key_r)))
    read = records_for_review(
        user=user, record_keys=keys, person_public_id="", note=note, request_id=request_id
    )

    def side(key: str) -> QueueSide:
        row = read.records.get(key, {})
        first, last = row.get("first_name"), row.get("surname")
        if WITHHELD in (first, last):
            name = WITHHELD
        else:
            name = " ".join(str(part) for part in (first, last) if part) or "No name recorded"
        return QueueSide(key, name, row.get("dob"), row.get("postcode"), row.get("nhs_number"))

    rows = [QueueRow(p, side(p.record_key_l), side(p.record_key_r)) for p in pairs]
    return rows, read.withheld


def pending_pairs() -> QuerySet[ReviewPair]:
    return ReviewPair.objects.filter(status=ReviewStatus.PENDING)


def latest_run() -> LinkageRun | None:
    return LinkageRun.objects.first()


def latest_complete_run() -> LinkageRun | None:
    return LinkageRun.objects.filter(status=LinkageRun.Status.COMPLETE).first()


def _source_records(record_keys: list[str]) -> dict[str, dict[str, Any]]:
    """The current source record behind each key (pipeline fields only), unfiltered."""
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
                "agency_id": row.extract.agency_id,
                "dataset": row.extract.dataset_kind,
                "source_id": row.source_id,
                **{field: getattr(row, field) for field in RECORD_FIELDS},
            }
    return found


def side_by_side(pair: ReviewPair, records: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per field: label, left value, right value, whether they agree (masked values
    never agree: the reviewer cannot see them)."""
    left, right = records.get(pair.record_key_l, {}), records.get(pair.record_key_r, {})
    rows = []
    for field in ("agency", "dataset", "source_id", *RECORD_FIELDS):
        a, b = left.get(field), right.get(field)
        rows.append(
            {
                "label": FIELD_LABELS.get(field, field.replace("_", " ").capitalize()),
                "left": a,
                "right": b,
                "agree": a is not None and a != WITHHELD and a == b,
            }
        )
    return rows


def person_of(record_key: str) -> Person | None:
    link = PersonRecordLink.objects.filter(record_key=record_key).select_related("person").first()
    return link.person if link else None


def latest_decision_id(pair: ReviewPair) -> int:
    """The id of the latest ruling on the pair (0 for none): the version a reviewer saw."""
    latest = decisions_for(pair).order_by("-pk").values_list("pk", flat=True).first()
    return int(latest or 0)


def decisions_for(pair: ReviewPair) -> QuerySet[PairDecision]:
    return PairDecision.objects.filter(
        record_key_l=pair.record_key_l, record_key_r=pair.record_key_r
    ).select_related("decided_by")


def person_links(person: Person) -> QuerySet[PersonRecordLink]:
    return person.links.order_by("record_key")


def linked_record_count(person: Person, *, leaving: list[str] | None = None) -> int:
    """How many records the person holds (less ``leaving``, the keys a split would move)."""
    return person.links.exclude(record_key__in=leaving or []).count()


def index_history(limit: int = 100) -> QuerySet[IndexChange]:
    return IndexChange.objects.select_related("actor")[:limit]


def memberships_of(person: Person) -> QuerySet[FamilyMembership]:
    """The person's families (public ids and roles only, no names)."""
    return person.memberships.select_related("family")


def current_person(public_id: str) -> Person | None:
    return Person.objects.filter(public_id=public_id).first()
