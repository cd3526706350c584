"""Reads of imported records (contract C2).

`person_records_frame` and `events_frame` are pipeline-only: they feed matching and needs
identification and are never shown to a user, so they bypass the sharing policy. They read
with `values_list` straight into polars (no model objects), so a million rows stay cheap.
Pages for people go through the sharing policy in their own apps.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from django.db.models import CharField, F, QuerySet, Value
from django.db.models.functions import Concat

from wraparound.records.models import Extract, ExtractStatus, SourceEvent, SourceRecord
from wraparound.records.person_fields import PERSON_RECORD_FIELDS

PERSON_RECORD_SCHEMA: dict[str, Any] = {
    "record_key": pl.String,
    "source": pl.String,
    "source_id": pl.String,
    "agency_slug": pl.String,
    **PERSON_RECORD_FIELDS,
}
EVENT_SCHEMA: dict[str, Any] = {
    "event_key": pl.String,
    "record_key": pl.String,
    "source": pl.String,
    "agency_slug": pl.String,
    "agency_kind": pl.String,
    "kind": pl.String,
    "event_date": pl.Date,
    "detail": pl.String,
}
CHUNK = 50_000


def _frame(rows: QuerySet[Any, tuple[Any, ...]], schema: dict[str, Any]) -> pl.DataFrame:
    frames = []
    batch: list[tuple[Any, ...]] = []
    for row in rows.iterator(chunk_size=CHUNK):
        batch.append(row)
        if len(batch) >= CHUNK:
            frames.append(pl.DataFrame(batch, schema=schema, orient="row"))
            batch = []
    if batch or not frames:
        frames.append(pl.DataFrame(batch, schema=schema, orient="row"))
    return pl.concat(frames, rechunk=True)


def person_records_frame(*, sources: list[str] | None = None) -> pl.DataFrame:
    """Current person-level source records, one row each (pipeline-only; see module doc)."""
    query = SourceRecord.objects.filter(extract__status=ExtractStatus.CURRENT)
    if sources is not None:
        query = query.filter(
            extract__in=[e.pk for e in current_extracts() if e.source in set(sources)]
        )
    rows = (
        query.annotate(
            source=Concat(
                F("extract__agency__slug"),
                Value(":"),
                F("extract__dataset_kind"),
                output_field=CharField(),
            ),
        )
        .values_list(
            "record_key",
            "source",
            "source_id",
            "extract__agency__slug",
            *PERSON_RECORD_FIELDS,
        )
        .order_by("id")
    )
    return _frame(rows, PERSON_RECORD_SCHEMA)


def events_frame() -> pl.DataFrame:
    """Events of current extracts in the shared vocabulary (pipeline-only)."""
    rows = (
        SourceEvent.objects.filter(extract__status=ExtractStatus.CURRENT)
        .annotate(
            source=Concat(
                F("extract__agency__slug"),
                Value(":"),
                F("extract__dataset_kind"),
                output_field=CharField(),
            )
        )
        .values_list(
            "event_key",
            "record__record_key",
            "source",
            "extract__agency__slug",
            "extract__agency__kind",
            "kind",
            "event_date",
            "detail",
        )
        .order_by("id")
    )
    return _frame(rows, EVENT_SCHEMA)


def current_extracts() -> list[Extract]:
    return list(Extract.objects.filter(status=ExtractStatus.CURRENT).select_related("agency"))


def import_history(*, limit: int = 200) -> QuerySet[Extract]:
    """Extracts newest first, for the data analysts' history page."""
    return Extract.objects.select_related("agency", "imported_by", "superseded_by")[:limit]
