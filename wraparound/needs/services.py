"""Writes: store one needs run (its flags and profiles) in bulk, whole or not at all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone

from wraparound.needs.indicators import IndicatorCatalogue
from wraparound.needs.models import FamilyNeedsProfile, NeedFlag, NeedsRun, RunStatus
from wraparound.needs.pipeline import NeedsResult

BATCH_SIZE = 5000
Progress = Callable[[int], None]


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _flag_rows(run: NeedsRun, result: NeedsResult) -> Iterator[NeedFlag]:
    for row in result.flags.iter_rows(named=True):
        yield NeedFlag(
            run=run,
            family_public_id=row["family_public_id"],
            outcome=row["outcome"],
            indicator_key=row["indicator_key"],
            level=row["level"],
            event_count=row["event_count"],
            first_evidence_date=row["first_evidence_date"],
            last_evidence_date=row["last_evidence_date"],
            agencies=row["agencies"],
            evidence=[{k: _iso(v) for k, v in item.items()} for item in row["evidence"]],
        )


def _profile_rows(run: NeedsRun, result: NeedsResult) -> Iterator[FamilyNeedsProfile]:
    for row in result.profiles.iter_rows(named=True):
        yield FamilyNeedsProfile(
            run=run,
            family_public_id=row["family_public_id"],
            locality=row["locality"] or "",
            agencies=row["agencies"] or [],
            outcome_count=row["outcome_count"],
            max_level=row["max_level"],
            outcomes=row["outcomes"],
            outcome_levels={i["outcome"]: i["level"] for i in row["outcome_levels"] or []},
            at_risk=row["at_risk"],
            supported=row["supported"],
            early_help=row["early_help"],
            support_since=row["support_since"],
            support_kinds=row["support_kinds"],
        )


def _bulk(rows: Iterator[Any], model: type[Any], progress: Progress | None) -> None:
    batch: list[Any] = []
    for obj in rows:
        batch.append(obj)
        if len(batch) >= BATCH_SIZE:
            model.objects.bulk_create(batch)
            if progress:
                progress(len(batch))
            batch = []
    if batch:
        model.objects.bulk_create(batch)
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
        NeedsRun.objects.filter(reference_date=result.reference_date).delete()
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
        _bulk(_profile_rows(run, result), FamilyNeedsProfile, progress)
        _bulk(_flag_rows(run, result), NeedFlag, progress)
        run.status = RunStatus.COMPLETE
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
    return run
