"""Writes: store one needs run (its flags and profiles) in bulk, whole or not at all.

A county has tens of thousands of families and flags, so rows are prepared as columns in
polars (JSON encoded there, vectorised) and inserted with ``executemany`` in batches, rather
than built as model instances one by one; the SQL is plain INSERT that SQLite and
PostgreSQL both accept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl
from django.db import connection, models, transaction
from django.utils import timezone

from wraparound.needs.indicators import IndicatorCatalogue
from wraparound.needs.models import FamilyNeedsProfile, NeedFlag, NeedsRun, RunStatus
from wraparound.needs.pipeline import NeedsResult

BATCH_SIZE = 5000
Progress = Callable[[int], None]


def _json_list(column: str) -> pl.Expr:
    """A list column as JSON text (via a one-field struct, so escaping is polars')."""
    encoded = pl.struct(pl.col(column).alias("v")).struct.json_encode()
    return encoded.str.strip_prefix('{"v":').str.strip_suffix("}").fill_null("[]").alias(column)


def _flag_rows(result: NeedsResult, run_id: int) -> pl.DataFrame:
    return result.flags.select(
        pl.lit(run_id).alias("run_id"),
        "family_public_id",
        "outcome",
        "indicator_key",
        pl.col("level").cast(pl.Int64),
        pl.col("event_count").cast(pl.Int64),
        "first_evidence_date",
        "last_evidence_date",
        _json_list("agencies"),
        _json_list("evidence"),
    )


def _profile_rows(result: NeedsResult, run_id: int) -> pl.DataFrame:
    levels = pl.concat_str(
        pl.lit("{"),
        pl.col("outcome_levels")
        .list.eval(
            pl.format(
                '"{}":{}', pl.element().struct.field("outcome"), pl.element().struct.field("level")
            )
        )
        .list.join(",")
        .fill_null(""),
        pl.lit("}"),
    ).alias("outcome_levels")
    return result.profiles.select(
        pl.lit(run_id).alias("run_id"),
        "family_public_id",
        pl.col("locality").fill_null(""),
        _json_list("agencies"),
        pl.col("children").cast(pl.Int64),
        pl.col("outcome_count").cast(pl.Int64),
        pl.col("max_level").cast(pl.Int64),
        _json_list("outcomes"),
        levels,
        "at_risk",
        "supported",
        "early_help",
        "support_since",
        _json_list("support_kinds"),
    )


def _insert(model: type[models.Model], frame: pl.DataFrame, progress: Progress | None) -> None:
    """INSERT the frame's rows; its column names are the model's field attnames."""
    meta = model._meta
    fields = {field.attname: field.column or field.attname for field in meta.concrete_fields}
    columns = [fields[name] for name in frame.columns]
    quote = connection.ops.quote_name
    # Identifiers come from the model's metadata and are quoted; every value is a parameter.
    names = ", ".join(quote(c) for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, frame.height, BATCH_SIZE):
            batch: Sequence[tuple[Any, ...]] = frame.slice(start, BATCH_SIZE).rows()
            cursor.executemany(sql, batch)
            if progress:
                progress(len(batch))


def record_needs_run(
    *,
    result: NeedsResult,
    catalogue: IndicatorCatalogue,
    membership_source: str,
    progress: Progress | None = None,
) -> NeedsRun:
    """Store a run in one transaction; an earlier run for the same reference date is replaced.

    Replacing keeps `wraparound needs` idempotent: running it twice for a date leaves one run.
    Runs for other dates are kept, because the targeting trend reads them.
    """
    with transaction.atomic():
        previous = list(
            NeedsRun.objects.filter(reference_date=result.reference_date).values_list(
                "pk", flat=True
            )
        )
        NeedFlag.objects.filter(run_id__in=previous).delete()
        FamilyNeedsProfile.objects.filter(run_id__in=previous).delete()
        NeedsRun.objects.filter(pk__in=previous).delete()
        run = NeedsRun.objects.create(
            reference_date=result.reference_date,
            catalogue_checksum=catalogue.checksum,
            membership_source=membership_source,
            events=result.stats.get("events", 0),
            events_attributed=result.stats.get("events_attributed", 0),
            families=result.stats.get("families", 0),
            flags=result.stats.get("flags", 0),
            families_at_risk=result.stats.get("families_at_risk", 0),
            families_supported=result.stats.get("families_supported", 0),
        )
        _insert(FamilyNeedsProfile, _profile_rows(result, run.pk), progress)
        _insert(NeedFlag, _flag_rows(result, run.pk), progress)
        run.status = RunStatus.COMPLETE
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
    return run
