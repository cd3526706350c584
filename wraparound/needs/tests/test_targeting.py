"""The targeting matrix: counts, rates, totals and the trend, from family profiles."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from wraparound.needs import charts
from wraparound.needs.targeting import COUNTY, TrendPoint, by_agency, by_locality, quarter_of, trend

pytestmark = pytest.mark.pipeline


def _profiles(
    spec: dict[str, tuple[int, int, int, int]], agencies: list[str] | None = None
) -> pl.DataFrame:
    """Locality -> counts of (at risk & supported, at risk only, supported only, neither)."""
    rows = []
    for locality, counts in spec.items():
        for (at_risk, supported), n in zip([(1, 1), (1, 0), (0, 1), (0, 0)], counts, strict=True):
            rows += [{"locality": locality, "agencies": agencies or ["a"],
                      "at_risk": bool(at_risk), "supported": bool(supported)}] * n  # fmt: skip
    return pl.DataFrame(rows, schema={"locality": pl.String, "agencies": pl.List(pl.String),
                                      "at_risk": pl.Boolean, "supported": pl.Boolean})  # fmt: skip


def test_matrix_counts_each_family_in_exactly_one_cell_and_rates_follow() -> None:
    matrix = by_locality(_profiles({"Harbridge": (10, 30, 20, 140), "Kingsford": (6, 24, 10, 60)}))
    rows = {r.group: r for r in matrix.rows}
    harbridge = rows["Harbridge"]
    assert {m: c.value for m, c in harbridge.cells.items()} == {
        "at_risk_supported": 10, "at_risk_not_supported": 30, "supported_not_at_risk": 20,
        "neither": 140, "at_risk": 40, "supported": 30, "families": 200,
    }  # fmt: skip
    assert harbridge.rates["at_risk_rate"] == pytest.approx(0.2)
    assert harbridge.rates["supported_rate"] == pytest.approx(0.15)
    assert harbridge.rates["at_risk_reached"] == pytest.approx(0.25)
    assert harbridge.rates["supported_at_risk"] == pytest.approx(1 / 3)
    county = rows[COUNTY]
    assert county.cells["families"].value == 300
    assert county.cells["at_risk_not_supported"].value == 54
    assert [r.group for r in matrix.rows] == ["Harbridge", "Kingsford", COUNTY]


def test_small_cells_are_suppressed_and_their_rates_hidden() -> None:
    matrix = by_locality(_profiles({"Harbridge": (3, 30, 20, 140), "Kingsford": (6, 24, 10, 60)}))
    harbridge = next(r for r in matrix.rows if r.group == "Harbridge")
    assert harbridge.cells["at_risk_supported"].display() == "<5"
    assert harbridge.rates["at_risk_reached"] is None
    assert harbridge.rate_display("at_risk_reached") == "suppressed"
    hidden = [m for m, c in harbridge.cells.items() if not c.shown]
    assert len(hidden) >= 2  # never a lone hidden figure in a row that adds up


def test_families_without_a_locality_are_counted_under_their_own_row() -> None:
    matrix = by_locality(_profiles({"": (0, 0, 0, 7), "Harbridge": (5, 5, 5, 5)}))
    assert "Locality not known" in [r.group for r in matrix.rows]


def test_agency_rows_count_a_family_under_every_agency_that_knows_it() -> None:
    profiles = pl.concat([_profiles({"H": (5, 6, 7, 8)}, ["police", "school"]),
                          _profiles({"H": (5, 5, 5, 5)}, ["school"])])  # fmt: skip
    rows = {r.group: r for r in by_agency(profiles).rows}
    assert rows["police"].cells["families"].value == 26
    assert rows["school"].cells["families"].value == 46
    assert rows["school"].cells["at_risk_supported"].value == 10


def test_trend_has_one_row_per_quarter_oldest_first() -> None:
    points = [
        TrendPoint(
            quarter_of(dt.date(2026, 3, 31)),
            dt.date(2026, 3, 31),
            _profiles({"H": (10, 30, 10, 50)}),
        ),
        TrendPoint(
            quarter_of(dt.date(2025, 12, 31)),
            dt.date(2025, 12, 31),
            _profiles({"H": (10, 20, 10, 60)}),
        ),
    ]
    matrix = trend(points)
    assert [r.group for r in matrix.rows] == ["2025 Q4", "2026 Q1"]
    assert [r.cells["at_risk"].value for r in matrix.rows] == [30, 40]


def test_the_chart_draws_no_bar_for_a_suppressed_figure() -> None:
    matrix = by_locality(_profiles({"Harbridge": (3, 30, 20, 140), "Kingsford": (6, 24, 10, 60)}))
    chart = charts.matrix_bars(matrix)
    harbridge = next(g for g in chart.groups if g.label == "Harbridge")
    bars = {b.series: b for b in harbridge.bars}
    assert bars["at_risk_supported"].width == 0
    assert bars["at_risk_supported"].text == "suppressed"
    row = next(r for r in matrix.rows if r.group == "Harbridge")
    for series, bar in bars.items():
        assert (bar.width > 0) == row.cells[series].shown, series
    assert COUNTY not in [g.label for g in chart.groups]


def test_a_rate_with_nothing_to_divide_by_is_not_applicable_rather_than_suppressed() -> None:
    matrix = by_locality(_profiles({"Harbridge": (0, 0, 20, 140), "Kingsford": (6, 24, 10, 60)}))
    harbridge = next(r for r in matrix.rows if r.group == "Harbridge")
    assert harbridge.rate_display("at_risk_reached") == "not applicable"
    assert harbridge.rate_display("supported_rate") == "12.5%"
