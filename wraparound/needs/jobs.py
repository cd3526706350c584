"""Background work of needs: identifying needs queued from a page (see core/jobs.py).

Queue it with ``jobs.enqueue(IDENTIFY, user=..., label="Identify needs", quarters=4)``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from wraparound.core import jobs
from wraparound.needs import sources
from wraparound.needs.indicators import IndicatorCatalogueError, load_catalogue
from wraparound.needs.pipeline import NeedsInputError
from wraparound.needs.runs import default_reference_date, reference_dates, run_needs

IDENTIFY = "needs.identify"


@jobs.register(IDENTIFY)
def identify_needs(
    report: jobs.Reporter, *, as_of: str | None = None, quarters: int = 1
) -> dict[str, Any]:
    """What ``wraparound needs`` does, with rows stored reported as progress."""
    try:
        load_catalogue()
        events = sources.events_frame()
        membership = sources.membership_frame()
    except (IndicatorCatalogueError, sources.NeedsSourceError) as error:
        raise jobs.JobRefusedError(str(error)) from error
    if membership.is_empty():
        raise jobs.JobRefusedError("No family memberships yet: link the records first.")
    day = dt.date.fromisoformat(as_of) if as_of else default_reference_date(events)
    stored = 0

    def rows_stored(count: int) -> None:
        nonlocal stored
        stored += count
        report(done=stored, message="storing profiles and flags")

    try:
        runs = run_needs(
            events=events,
            membership=membership,
            dates=reference_dates(day, max(1, min(20, quarters))),
            membership_source=sources.MEMBERSHIP_SOURCE,
            progress=rows_stored,
        )
    except NeedsInputError as error:
        raise jobs.JobRefusedError(str(error)) from error
    latest = runs[-1]
    return {
        "summary": f"Needs as of {latest.reference_date}: {latest.families:,} families, "
        f"{latest.families_at_risk:,} at risk.",
        "url": reverse("needs:targeting"),
    }
