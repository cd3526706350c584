"""Reads of imported records (contract C2).

`person_records_frame` and `events_frame` are pipeline-only: they feed matching and needs
identification and are never shown to a user, so they bypass the sharing policy. They read
with `values_list` straight into polars (no model objects), so a million rows stay cheap.
Pages for people go through the sharing policy in their own apps.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import CharField, F, QuerySet, TextField, Value
from django.db.models.functions import Cast, Concat

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


def _raw_frame(rows: QuerySet[Any, tuple[Any, ...]], schema: dict[str, Any]) -> pl.DataFrame:
    """``rows`` run as the SQL Django compiles for them, straight into polars.

    Skips Django's per-value converters (a million records carry eleven million values);
    dates are selected as ISO text and parsed by polars, the same on SQLite and PostgreSQL.
    """
    text_schema = {name: pl.String if dtype == pl.Date else dtype for name, dtype in schema.items()}
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # filtered on an empty list: no query to run
        return pl.DataFrame(schema=schema)
    frames = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(CHUNK):
            frames.append(pl.DataFrame(batch, schema=text_schema, orient="row"))
    frame = pl.concat(frames, rechunk=True) if frames else pl.DataFrame(schema=text_schema)
    dates = [name for name, dtype in schema.items() if dtype == pl.Date]
    return frame.with_columns(pl.col(dates).str.slice(0, 10).str.to_date("%Y-%m-%d"))


def person_records_frame(
    *,
    sources: list[str] | None = None,
    extracts: list[int] | None = None,
    with_extract_id: bool = False,
) -> pl.DataFrame:
    """Current person-level source records, one row each (pipeline-only; see module doc).

    ``extracts`` limits the read to those extracts (ids of current extracts);
    ``with_extract_id`` adds the ``extract_id`` each record came from.
    """
    query = SourceRecord.objects.filter(extract__status=ExtractStatus.CURRENT)
    if sources is not None:
        query = query.filter(
            extract__in=[e.pk for e in current_extracts() if e.source in set(sources)]
        )
    if extracts is not None:
        query = query.filter(extract__in=extracts)
    dates = {
        name: Cast(name, TextField())
        for name, dtype in PERSON_RECORD_FIELDS.items()
        if dtype == pl.Date
    }
    rows = (
        query.annotate(
            source=Concat(
                F("extract__agency__slug"),
                Value(":"),
                F("extract__dataset_kind"),
                output_field=CharField(),
            ),
            **{f"{name}_text": cast for name, cast in dates.items()},
        )
        .values_list(
            "record_key",
            "source",
            "source_id",
            "extract__agency__slug",
            *[f"{name}_text" if name in dates else name for name in PERSON_RECORD_FIELDS],
            *(["extract_id"] if with_extract_id else []),
        )
        .order_by("id")
    )
    schema = PERSON_RECORD_SCHEMA | ({"extract_id": pl.Int64} if with_extract_id else {})
    return _raw_frame(rows, schema)


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
