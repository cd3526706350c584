"""Geometry for the targeting charts, drawn as server-side SVG by templates.

No scripts and no inline styles (the content security policy forbids both): the functions
here compute positions, the templates draw them, and colours come from CSS classes. A
suppressed figure draws no bar and says "suppressed", so a chart never shows more than the
table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from wraparound.needs.targeting import COUNTY, MEASURE_LABELS, Matrix

BAR_SERIES = ("at_risk_supported", "at_risk_not_supported", "supported_not_at_risk")
LABEL_WIDTH = 190
PLOT_WIDTH = 420
BAR_HEIGHT = 14
GROUP_GAP = 14


@dataclass(frozen=True)
class Bar:
    series: str
    label: str
    x: int
    y: int
    width: int
    height: int
    text: str
    text_x: int


@dataclass(frozen=True)
class BarGroup:
    label: str
    label_y: int
    bars: list[Bar]


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    groups: list[BarGroup]
    axis_max_percent: int


def matrix_bars(matrix: Matrix) -> BarChart:
    """Share of each locality's families in each targeting cell, one bar per cell."""
    rows = [r for r in matrix.rows if r.group != COUNTY]
    shares = [
        r.cells[s].value / r.cells["families"].value
        for r in rows
        for s in BAR_SERIES
        if r.cells[s].shown and r.cells["families"].shown and r.cells["families"].value
    ]
    axis_max = max(5, -(-int(100 * max(shares, default=0.05)) // 5) * 5)
    groups: list[BarGroup] = []
    y = 10
    for row in rows:
        bars = []
        for i, series in enumerate(BAR_SERIES):
            cell, families = row.cells[series], row.cells["families"]
            top = y + i * (BAR_HEIGHT + 2)
            if cell.shown and families.shown and families.value:
                share = cell.value / families.value
                width = round(PLOT_WIDTH * 100 * share / axis_max)
                text = f"{100 * share:.1f}% ({cell.display()})"
            else:
                width, text = 0, "suppressed"
            bars.append(
                Bar(
                    series,
                    MEASURE_LABELS[series],
                    LABEL_WIDTH,
                    top,
                    width,
                    BAR_HEIGHT,
                    text,
                    LABEL_WIDTH + width + 4,
                )
            )
        groups.append(BarGroup(row.group, y + BAR_HEIGHT + 6, bars))
        y += 3 * (BAR_HEIGHT + 2) + GROUP_GAP
    return BarChart(LABEL_WIDTH + PLOT_WIDTH + 130, y + 10, groups, axis_max)


@dataclass(frozen=True)
class TrendLine:
    series: str
    label: str
    points: str  # SVG polyline "x,y x,y"
    dots: list[tuple[int, int, str]]


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    lines: list[TrendLine]
    ticks: list[tuple[int, str]]
    axis_max_percent: int


def trend_lines(matrix: Matrix) -> TrendChart:
    """At-risk and supported rates by quarter; quarters with a suppressed rate are skipped."""
    width, height, left, top, plot_h = 680, 220, 50, 15, 160
    series = {"at_risk_rate": "Families at risk", "supported_rate": "Families supported"}
    values = [r.rates.get(s) for r in matrix.rows for s in series]
    axis_max = max(
        5, -(-int(100 * max((v for v in values if v is not None), default=0.05)) // 5) * 5
    )
    n = len(matrix.rows)
    step = (width - left - 70) / max(n - 1, 1)
    ticks = [(round(left + i * step), r.group) for i, r in enumerate(matrix.rows)]
    lines = []
    for key, label in series.items():
        dots = []
        for i, row in enumerate(matrix.rows):
            rate = row.rates.get(key)
            if rate is None:
                continue
            x = round(left + i * step)
            y = round(top + plot_h * (1 - 100 * rate / axis_max))
            dots.append((x, y, f"{row.group}: {100 * rate:.1f}%"))
        lines.append(TrendLine(key, label, " ".join(f"{x},{y}" for x, y, _ in dots), dots))
    return TrendChart(width, height, lines, ticks, axis_max)
