"""Demo data for needs: identify needs over whatever the records and matching demos loaded.

Four quarterly runs (so the targeting trend has points), newest last. When the matching app
cannot provide family memberships yet, the synthetic county's truth stands in for linkage,
and the run and the demo summary both say so.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings

from wraparound.needs import bench as benchmark
from wraparound.needs import sources
from wraparound.needs.runs import default_reference_date, reference_dates, run_needs

DEMO_QUARTERS = 4
DEMO_STAND_IN = "truth (demo stand-in for linkage)"


def _demo_county(context: dict[str, Any]) -> Path:
    """Where the records demo wrote its county (same rule as wraparound.records.demo)."""
    households = int(context.get("households") or 3000)
    seed = int(context.get("seed") or 1)
    var_dir = Path(getattr(settings, "VAR_DIR", tempfile.gettempdir()))
    return var_dir / "demo-county" / f"seed{seed}-{households}"


def _membership(context: dict[str, Any]) -> tuple[pl.DataFrame, str]:
    try:
        membership = sources.membership_frame()
    except sources.NeedsSourceError:
        membership = pl.DataFrame()
    if not membership.is_empty():
        return membership, sources.MEMBERSHIP_SOURCE
    county = _demo_county(context)
    if not (county / "truth" / "records.parquet").exists():
        raise sources.NeedsSourceError(f"no linked families and no demo county at {county}")
    return benchmark.truth_membership(county), DEMO_STAND_IN


def load_demo(context: dict[str, Any]) -> str:
    """Hook for `wraparound demo`."""
    try:
        events = sources.events_frame()
        membership, source = _membership(context)
    except sources.NeedsSourceError as error:
        return f"needs not identified ({error})"
    as_of = default_reference_date(events)
    runs = run_needs(
        events=events,
        membership=membership,
        dates=reference_dates(as_of, DEMO_QUARTERS),
        membership_source=source,
    )
    latest = runs[-1]
    note = (
        " [family membership from the synthetic truth: linkage not available]"
        if source == DEMO_STAND_IN
        else ""
    )
    return (
        f"needs identified as of {latest.reference_date} for {latest.families:,} families: "
        f"{latest.families_at_risk:,} at risk, {latest.families_supported:,} supported "
        f"({len(runs)} quarterly runs for the trend){note}"
    )
