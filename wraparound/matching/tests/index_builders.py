"""Put fake agency records into the records app's tables, as an import would."""

from __future__ import annotations

import polars as pl
from django.utils import timezone

from wraparound.core.tests.factories import AgencyFactory
from wraparound.matching.tests.fake_people import fake_records
from wraparound.records.models import Extract, SourceRecord

FIELDS = (
    "first_name", "middle_names", "surname", "dob", "sex", "postcode", "address_line",
    "nhs_number", "upn", "household_ref", "recorded_at",
)  # fmt: skip


def import_fake_county(households: int = 40, *, seed: int = 21) -> pl.DataFrame:
    """Create one current extract per fake source; return the records with their truth."""
    people = fake_records(households, seed=seed)
    add_records(people)
    return people


def add_records(people: pl.DataFrame) -> None:
    for source, rows in people.group_by("source"):
        slug, kind = str(source[0]).split(":")
        agency = AgencyFactory(slug=slug, name=slug.title()) if not _agency(slug) else _agency(slug)
        extract = Extract.objects.create(
            agency=agency,
            dataset_kind=kind,
            file_name=f"{kind}-{rows.height}.csv",
            sha256=f"{slug}-{kind}-{rows['source_id'][0]}".ljust(64, "0")[:64],
            file_format="csv",
            received_at=timezone.now(),
        )
        SourceRecord.objects.bulk_create(
            [
                SourceRecord(
                    extract=extract,
                    row_number=n,
                    record_key=row["record_key"],
                    source_id=row["source_id"],
                    **{field: row[field] for field in FIELDS},
                )
                for n, row in enumerate(rows.iter_rows(named=True), start=1)
            ]
        )


def _agency(slug: str) -> object | None:
    from wraparound.core.models import Agency

    return Agency.objects.filter(slug=slug).first()
