"""One `wraparound needs`: identify needs at one or more reference dates and store each run.

Shared by the command, the demo loader and the benchmark so all three measure the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import polars as pl
from django.utils import timezone

from wraparound.needs.indicators import load_catalogue
from wraparound.needs.models import NeedsRun
from wraparound.needs.pipeline import identify_needs
from wraparound.needs.services import record_needs_run

Progress = Callable[[int], None]


def quarter_end_before(day: dt.date) -> dt.date:
    """The last day of the quarter before the one ``day`` falls in."""
    first_of_quarter = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return first_of_quarter - dt.timedelta(days=1)


def reference_dates(as_of: dt.date, quarters: int) -> list[dt.date]:
    """``as_of`` and the ends of the ``quarters - 1`` quarters before it, oldest first."""
    dates = [as_of]
    while len(dates) < quarters:
        dates.append(quarter_end_before(dates[-1]))
    return sorted(dates)


def default_reference_date(events: pl.DataFrame) -> dt.date:
    """When the data describes: the median over sources of each source's latest event date.

    Each extract's latest event is roughly when it was taken; the median across sources is not
    thrown by one source with a few stray future-dated entries. Never later than today.
    """
    today = timezone.localdate()
    if events.is_empty():
        return today
    latest = events.group_by("source").agg(pl.col("event_date").max()).drop_nulls()
    if latest.is_empty():
        return today
    median = latest["event_date"].sort()[(latest.height - 1) // 2]
    assert isinstance(median, dt.date)
    return min(median, today)


def run_needs(
    *,
    events: pl.DataFrame,
    membership: pl.DataFrame,
    dates: list[dt.date],
    membership_source: str,
    progress: Progress | None = None,
) -> list[NeedsRun]:
    """Compute and store a run per date, oldest first (so the newest run finishes last)."""
    from wraparound.casework.support import with_casework_support  # casework reads needs

    catalogue = load_catalogue()
    runs = []
    for day in sorted(dates):
        result = identify_needs(events, membership, reference_date=day, catalogue=catalogue)
        result = with_casework_support(result, catalogue.support.window_days)
        runs.append(
            record_needs_run(
                result=result,
                catalogue=catalogue,
                membership_source=membership_source,
                progress=progress,
            )
        )
    return runs
