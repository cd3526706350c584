"""The synthetic county's truth, for the benchmark and tests (never for a user's page).

``true_effects`` reads ``truth/service_effects.parquet`` (written by
``wraparound.synth.service_effects``): for the treated families of each planted service,
the outcome with and without the service, so the true effect on the treated is exact.
``truth_tables`` turns the truth events into the pipeline's inputs, for the benchmark's
stand-in mode (when import and linkage are skipped; the output then says so).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

# synth's statutory kinds -> the shared vocabulary's (the import mapping does the same)
KIND_RENAMES = {"child_in_need": "child_in_need_plan", "child_protection": "child_protection_plan"}


def true_effects(county: Path) -> dict[str, dict[str, Any]]:
    """Per planted service: treated count and the true risk difference on the treated."""
    frame = pl.read_parquet(county / "truth" / "service_effects.parquet")
    out: dict[str, dict[str, Any]] = {}
    for (service,), group in frame.filter(pl.col("treated")).group_by(["service"]):
        without = float(group["outcome_without"].to_numpy().mean())
        with_ = float(group["outcome_with"].to_numpy().mean())
        events_without = int(group["outcome_events_without"].sum())
        events_with = int(group["outcome_events_with"].sum())
        out[str(service)] = {
            "directory_service": group["directory_service"][0],
            "treated": group.height,
            "eligible": frame.filter(pl.col("service") == service).height,
            "rate_without_service": without,
            "rate_with_service": with_,
            "risk_difference": with_ - without,
            "risk_ratio": with_ / without if without else None,
            "event_reduction": 1 - events_with / events_without if events_without else 0.0,
        }
    return out


def truth_tables(county: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(events, membership, deprivation) from the truth, with records in their true families."""
    from wraparound.needs.bench import truth_membership

    events = pl.read_parquet(county / "truth" / "events.parquet")
    events = events.select(
        pl.int_range(pl.len()).cast(pl.String).alias("event_key"),
        pl.concat_str("source", "source_id", separator=":").alias("record_key"),
        pl.col("source").str.split(":").list.first().alias("agency_slug"),
        pl.col("kind").replace(KIND_RENAMES),
        pl.col("event_date").cast(pl.Date),
    )
    membership = truth_membership(county)
    families = pl.read_parquet(county / "truth" / "families.parquet")
    deprivation = families.select(
        pl.col("family_id").alias("family_public_id"),
        pl.col("deprivation_decile").cast(pl.Int64),
    )
    return events, membership, deprivation
