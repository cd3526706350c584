"""A small constructed county for tests: selection on prior police events, a known effect.

Prior events sit where every family's covariate window sees them, and outcome events where
every outcome window does (whatever index date a comparison family is given), so the truth
is exact: the effect on the treated is ``-reduction`` times their outcome risk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

INTAKE = (dt.date(2024, 4, 1), dt.date(2024, 6, 29))
PRIOR = (dt.date(2023, 7, 1), dt.date(2024, 3, 31))
AFTER = (dt.date(2024, 7, 1), dt.date(2025, 3, 31))


@dataclass
class County:
    events: pl.DataFrame
    membership: pl.DataFrame
    deprivation: pl.DataFrame
    true_effect: float
    treated: int


def _day(rng: np.random.Generator, span: tuple[dt.date, dt.date], n: int) -> list[dt.date]:
    days = (span[1] - span[0]).days
    return [span[0] + dt.timedelta(days=int(d)) for d in rng.integers(0, days + 1, n)]


def county(*, families: int = 4000, reduction: float = 0.5, seed: int = 3) -> County:
    rng = np.random.default_rng(seed)
    need = rng.normal(0, 0.8, families)
    prior = rng.poisson(np.exp(need))
    treated = rng.random(families) < 1 / (1 + np.exp(-(-3.2 + 1.4 * np.log1p(prior))))
    risk = np.clip(0.04 + 0.12 * np.log1p(prior), 0, 0.9)
    hit = rng.random(families) < risk * np.where(treated, 1 - reduction, 1.0)
    ids = [f"F-{i:06d}" for i in range(families)]
    members = pl.DataFrame(
        {
            "record_key": [f"hcc-social-care:kids:C{i}" for i in range(families)],
            "person_public_id": [f"P-{i:06d}" for i in range(families)],
            "family_public_id": ids,
            "is_child": [True] * families,
            "dob": [dt.date(2012, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 1500, families)],
            "locality": rng.choice(["Harbridge", "Kingsford"], families).tolist(),
        }
    )  # fmt: skip
    rows: list[tuple[str, str, str, dt.date]] = []
    for i in np.nonzero(prior)[0].tolist():
        for day in _day(rng, PRIOR, int(prior[i])):
            rows.append((f"hcc-social-care:kids:C{i}", "hartshire-police", "offence", day))
    for i, day in zip(
        np.nonzero(treated)[0].tolist(), _day(rng, INTAKE, int(treated.sum())), strict=True
    ):
        rows.append((f"hcc-social-care:kids:C{i}", "hcc-social-care", "edge_of_care_support", day))
    for i, day in zip(np.nonzero(hit)[0].tolist(), _day(rng, AFTER, int(hit.sum())), strict=True):
        rows.append((f"hcc-social-care:kids:C{i}", "hcc-social-care", "sc_referral", day))
    events = pl.DataFrame(
        rows, schema={"record_key": pl.String, "agency_slug": pl.String, "kind": pl.String, "event_date": pl.Date},
        orient="row",
    ).with_row_index("event_key").with_columns(pl.col("event_key").cast(pl.String))  # fmt: skip
    deprivation = pl.DataFrame(
        {"family_public_id": ids, "deprivation_decile": rng.integers(1, 11, families).tolist()}
    )
    effect = float(-(reduction * risk[treated]).mean())
    return County(events, members, deprivation, effect, int(treated.sum()))
