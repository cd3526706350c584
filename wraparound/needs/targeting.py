"""The targeting picture: families at risk against families receiving support, in aggregate.

Pure functions over a profile table (locality, agencies, at_risk, supported, and optionally
``n``: how many families each row stands for, when the rows are already grouped): the matrix per locality (with a county row) and per agency, with counts, rates
and small-number suppression applied before anything leaves this module. No family id is
ever part of the output.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import polars as pl

from wraparound.needs.suppression import DEFAULT_THRESHOLD, Cell, suppress

COUNTY = "All localities"
UNKNOWN_LOCALITY = "Locality not known"
PARTS = ("at_risk_supported", "at_risk_not_supported", "supported_not_at_risk", "neither")
MEASURES = (*PARTS, "at_risk", "supported", "families")
MEASURE_LABELS = {
    "at_risk_supported": "At risk and supported",
    "at_risk_not_supported": "At risk, not supported",
    "supported_not_at_risk": "Supported, not at risk",
    "neither": "Neither",
    "at_risk": "At risk",
    "supported": "Supported",
    "families": "Families",
}
# rate name -> (numerator, denominator)
RATES = {
    "at_risk_rate": ("at_risk", "families"),
    "supported_rate": ("supported", "families"),
    "at_risk_reached": ("at_risk_supported", "at_risk"),
    "supported_at_risk": ("at_risk_supported", "supported"),
}
RATE_LABELS = {
    "at_risk_rate": "Families at risk",
    "supported_rate": "Families supported",
    "at_risk_reached": "At-risk families supported",
    "supported_at_risk": "Supported families at risk",
}


@dataclass(frozen=True)
class MatrixRow:
    group: str
    cells: dict[str, Cell]
    rates: dict[str, float | None] = field(default_factory=dict)

    def rate_display(self, name: str) -> str:
        value = self.rates.get(name)
        if value is None:
            return "suppressed"
        return "not applicable" if math.isnan(value) else f"{100 * value:.1f}%"


@dataclass(frozen=True)
class Matrix:
    """One table of the report: rows by locality, agency or quarter."""

    dimension: str
    rows: list[MatrixRow]
    threshold: int


@dataclass(frozen=True)
class TrendPoint:
    quarter: str
    reference_date: dt.date
    profiles: pl.DataFrame  # at_risk, supported[, n]


def _counts(profiles: pl.DataFrame, by: str) -> pl.DataFrame:
    at_risk, supported = pl.col("at_risk"), pl.col("supported")
    n = pl.col("n") if "n" in profiles.columns else pl.lit(1, dtype=pl.Int64)

    def count(condition: pl.Expr) -> pl.Expr:
        return pl.when(condition).then(n).otherwise(0).sum()

    return (
        profiles.group_by(by)
        .agg(
            count(at_risk & supported).alias("at_risk_supported"),
            count(at_risk & ~supported).alias("at_risk_not_supported"),
            count(~at_risk & supported).alias("supported_not_at_risk"),
            count(~at_risk & ~supported).alias("neither"),
            count(at_risk).alias("at_risk"),
            count(supported).alias("supported"),
            (pl.col("n").sum() if "n" in profiles.columns else pl.len()).alias("families"),
        )
        .sort(by)
    )


# Every way one figure in a row can be worked out from the others (the circuits of the row's
# sums: at_risk = a + b, supported = a + c, families = a + b + c + d, and their combinations).
_ROW_RELATIONS: tuple[tuple[str, ...], ...] = (
    ("at_risk_supported", "at_risk_not_supported", "at_risk"),
    ("at_risk_supported", "supported_not_at_risk", "supported"),
    ("at_risk", "supported", "at_risk_not_supported", "supported_not_at_risk"),
    (*PARTS, "families"),
    ("at_risk", "supported_not_at_risk", "neither", "families"),
    ("supported", "at_risk_not_supported", "neither", "families"),
    ("at_risk", "supported", "at_risk_supported", "neither", "families"),
)


def _row_groups(group: str) -> list[list[tuple[str, str]]]:
    return [[(group, m) for m in relation] for relation in _ROW_RELATIONS]


def _rates(cells: dict[str, Cell]) -> dict[str, float | None]:
    rates: dict[str, float | None] = {}
    for name, (num, den) in RATES.items():
        n, d = cells[num], cells[den]
        if not (n.shown and d.shown):
            rates[name] = None  # suppressed
        else:
            rates[name] = n.value / d.value if d.value else math.nan  # nothing to divide by
    return rates


def _matrix(
    counts: pl.DataFrame, by: str, *, dimension: str, total: dict[str, int] | None, threshold: int
) -> Matrix:
    values: dict[tuple[str, str], int] = {}
    groups: list[list[tuple[str, str]]] = []
    names = [str(g) for g in counts[by].to_list()]
    for name, row in zip(names, counts.iter_rows(named=True), strict=True):
        for m in MEASURES:
            values[(name, m)] = int(row[m])
        groups += _row_groups(name)
    if total is not None:
        for m in MEASURES:
            values[(COUNTY, m)] = total[m]
        groups += _row_groups(COUNTY)
        groups += [[(name, m) for name in [*names, COUNTY]] for m in MEASURES]
        names = [*names, COUNTY]
    cells = suppress(values, groups, threshold=threshold)
    rows = []
    for name in names:
        row_cells = {m: cells[(name, m)] for m in MEASURES}
        rows.append(MatrixRow(group=name, cells=row_cells, rates=_rates(row_cells)))
    return Matrix(dimension=dimension, rows=rows, threshold=threshold)


def by_locality(profiles: pl.DataFrame, *, threshold: int = DEFAULT_THRESHOLD) -> Matrix:
    """One row per locality and a county row; columns add up, so both directions are checked."""
    frame = profiles.with_columns(
        pl.when(pl.col("locality").is_null() | (pl.col("locality") == ""))
        .then(pl.lit(UNKNOWN_LOCALITY))
        .otherwise(pl.col("locality"))
        .alias("locality")
    )
    counts = _counts(frame, "locality")
    total = {m: int(counts[m].sum()) for m in MEASURES}
    return _matrix(counts, "locality", dimension="locality", total=total, threshold=threshold)


def by_agency(profiles: pl.DataFrame, *, threshold: int = DEFAULT_THRESHOLD) -> Matrix:
    """One row per agency: the families with a member known to it (a family counts under each)."""
    frame = (
        profiles.select("agencies", "at_risk", "supported")
        .explode("agencies")
        .drop_nulls("agencies")
    )
    counts = _counts(frame.rename({"agencies": "agency"}), "agency")
    return _matrix(counts, "agency", dimension="agency", total=None, threshold=threshold)


def quarter_of(day: dt.date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def trend(points: list[TrendPoint], *, threshold: int = DEFAULT_THRESHOLD) -> Matrix:
    """County totals at each quarter's reference date, oldest first."""
    frames = [
        p.profiles.select(
            [c for c in ("at_risk", "supported", "n") if c in p.profiles.columns]
        ).with_columns(pl.lit(p.quarter).alias("quarter"))
        for p in sorted(points, key=lambda p: p.reference_date)
    ]
    if not frames:
        return Matrix(dimension="quarter", rows=[], threshold=threshold)
    counts = _counts(pl.concat(frames), "quarter")
    return _matrix(counts, "quarter", dimension="quarter", total=None, threshold=threshold)
