"""Families' planted progress after engagement, with the truth, for scoring outcomes.

After the county is generated, a share of the at-risk families (their needs from
``truth/needs.parquet``) engage with support, and each is given a trajectory:

- **sustain**: every need stops soon after engagement and stays stopped;
- **improve**: most needs stop during support; the others carry on at a lower rate;
- **relapse**: needs stop during support, then at least one comes back after support ends;
- **disengage**: support ends early and the needs carry on as before (or worse).

Each need produces dated *concern events* (a domestic abuse incident, a persistent-absence
return ...) before and after engagement. The agency records each with probability
``VISIBILITY`` (it already knows the family: the baseline need came from its records) and
also records a little unrelated noise. Written to ``truth/trajectories.parquet`` (one row per
engaged family and need, with the true status at the closing review and whether progress
was truly sustained through the window) and ``truth/trajectory_events.parquet`` (the events
agencies recorded). The extracts are not touched, and the random stream is separate from the
county's chunk streams, so every existing draw (and the needs and linkage figures) is
unchanged. No Django here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

# A stream id no chunk number reaches: the county's streams are [seed, chunk].
TRAJECTORY_STREAM = 7_000_016
TRAJECTORIES = ("sustain", "improve", "relapse", "disengage")
SHARES = (0.25, 0.35, 0.2, 0.2)
ENGAGED_SHARE = 0.5
VISIBILITY = 0.95
NOISE_PER_YEAR = 0.05
RATE_PER_YEAR = {1: 2.0, 2: 3.0, 3: 5.0, 4: 8.0}
WINDOW_DAYS = 183
# The concern event each headline outcome's need produces: the first concern kind of the
# outcome's first descriptor in the outcome framework (checked by a test).
CONCERN_KIND = {
    "education": "persistent_absence",
    "early_years": "development_concern",
    "health": "mental_health_referral",
    "substance_use": "substance_misuse_treatment",
    "family_relationships": "family_conflict_incident",
    "safe_from_abuse": "sc_referral",
    "crime_prevention": "offence",
    "domestic_abuse": "domestic_abuse_incident",
    "secure_housing": "notice_seeking_possession",
    "financial_stability": "rent_arrears",
}


@dataclass(frozen=True)
class _Need:
    family_id: str
    outcome: str
    level: int


def _days(rng: np.random.Generator, rate_per_year: float, start: int, end: int) -> list[int]:
    """Poisson event days from ``start`` to ``end`` (day numbers, end excluded)."""
    if end <= start or rate_per_year <= 0:
        return []
    n = rng.poisson(rate_per_year * (end - start) / 365.25)
    return sorted(rng.integers(start, end, n).tolist())


def _plant_need(
    rng: np.random.Generator,
    trajectory: str,
    level: int,
    engaged: int,
    ended: int,
    as_of: int,
    relapses: bool,
) -> tuple[list[int], str]:
    """Latent concern event days from a year before engagement, and the true status at closure."""
    rate = RATE_PER_YEAR.get(level, 3.0)
    before = _days(rng, rate, engaged - 365, engaged) or [int(rng.integers(engaged - 365, engaged))]
    support = ended - engaged
    if trajectory == "sustain":
        stop = engaged + int(rng.integers(0, 46))
        return before + _days(rng, rate, engaged, stop), "met"
    if trajectory == "improve":
        if rng.random() < 0.75:
            stop = engaged + int(rng.integers(0, max(1, int(0.6 * support))))
            return before + _days(rng, rate, engaged, stop), "met"
        return before + _days(rng, 0.4 * rate, engaged, as_of), "improving"
    if trajectory == "relapse":
        stop = engaged + int(rng.integers(0, max(1, support // 2)))
        after = []
        if relapses:
            back = ended + int(rng.integers(1, 151))
            after = _days(rng, 1.5 * rate, back, as_of)
        return before + _days(rng, rate, engaged, stop) + after, "met"
    worse = rng.random() < 0.3
    return before + _days(
        rng, (1.5 if worse else 1.0) * rate, engaged, as_of
    ), "worse" if worse else "no_change"


def _day(value: dt.date) -> int:
    return (value - dt.date(1970, 1, 1)).days


def plant_trajectories(out: Path, *, seed: int, as_of: dt.date) -> dict[str, dict[str, object]]:
    """Write the trajectory truth and recorded events for a generated county in ``out``."""
    rng = np.random.default_rng([seed, TRAJECTORY_STREAM])
    families = pl.read_parquet(out / "truth" / "families.parquet", columns=["family_id", "at_risk"])
    needs = pl.read_parquet(out / "truth" / "needs.parquet").filter(pl.col("has_need"))
    at_risk = families.filter(pl.col("at_risk"))["family_id"].to_list()
    engaged = [f for f in at_risk if rng.random() < ENGAGED_SHARE]
    by_family: dict[str, list[_Need]] = {}
    for family_id, outcome, level in (
        needs.filter(pl.col("family_id").is_in(engaged))
        .select("family_id", "outcome", "level")
        .iter_rows()
    ):
        by_family.setdefault(family_id, []).append(_Need(family_id, outcome, int(level or 1)))
    end = _day(as_of)
    rows: list[dict[str, object]] = []
    events: list[dict[str, object]] = []
    for family_id in engaged:
        own = by_family.get(family_id, [])
        trajectory = TRAJECTORIES[int(rng.choice(len(TRAJECTORIES), p=SHARES))]
        start = end - int(rng.integers(int(1.4 * 365), 3 * 365))
        length = (
            int(rng.integers(30, 91)) if trajectory == "disengage" else int(rng.integers(120, 301))
        )
        ended = start + length
        relapsing = rng.random(len(own)) < 0.6
        if trajectory == "relapse" and own and not relapsing.any():
            relapsing[int(rng.integers(0, len(own)))] = True
        for index, need in enumerate(own):
            latent, status = _plant_need(
                rng, trajectory, need.level, start, ended, end, bool(relapsing[index])
            )
            latent = [d for d in latent if d <= end]
            in_window = [d for d in latent if ended < d <= ended + WINDOW_DAYS]
            kind = CONCERN_KIND[need.outcome]
            recorded = [d for d in latent if rng.random() < VISIBILITY]
            noise = _days(rng, NOISE_PER_YEAR, start - 365, end)
            for d in sorted(recorded + noise):
                events.append(
                    {"family_id": family_id, "outcome": need.outcome, "kind": kind, "day": d}
                )
            rows.append(
                {
                    "family_id": family_id,
                    "outcome": need.outcome,
                    "level": need.level,
                    "trajectory": trajectory,
                    "engaged_day": start,
                    "support_ended_day": ended,
                    "status_at_closure": status,
                    "window_complete": ended + WINDOW_DAYS <= end,
                    "sustained": status == "met" and not in_window and ended + WINDOW_DAYS <= end,
                }
            )
    schema = {"family_id": pl.String, "outcome": pl.String, "level": pl.Int8, "trajectory": pl.String,
              "engaged_day": pl.Int64, "support_ended_day": pl.Int64, "status_at_closure": pl.String,
              "window_complete": pl.Boolean, "sustained": pl.Boolean}  # fmt: skip
    truth = (
        pl.DataFrame(rows, schema=schema)
        .with_columns(
            pl.from_epoch("engaged_day", time_unit="d").alias("engaged_on"),
            pl.from_epoch("support_ended_day", time_unit="d").alias("support_ended_on"),
        )
        .drop("engaged_day", "support_ended_day")
    )
    recorded_frame = (
        pl.DataFrame(
            events,
            schema={
                "family_id": pl.String,
                "outcome": pl.String,
                "kind": pl.String,
                "day": pl.Int64,
            },
        )
        .with_columns(pl.from_epoch("day", time_unit="d").alias("event_date"))
        .drop("day")
    )
    truth.write_parquet(out / "truth" / "trajectories.parquet")
    recorded_frame.write_parquet(out / "truth" / "trajectory_events.parquet")
    return {
        "trajectories": {"file": "truth/trajectories.parquet", "rows": truth.height},
        "trajectory_events": {
            "file": "truth/trajectory_events.parquet",
            "rows": recorded_frame.height,
        },
    }
