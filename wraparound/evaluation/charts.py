"""Geometry for the evaluation charts (Love plot, effect intervals), drawn as inline SVG.

No scripts or inline styles (the CSP forbids both): positions are computed here, the
templates draw them, colours come from CSS classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wraparound.evaluation.pipeline.matching import SMD_LIMIT

LABEL_WIDTH = 260
PLOT_WIDTH = 380
ROW_HEIGHT = 20


@dataclass(frozen=True)
class LoveRow:
    label: str
    y: int
    before_x: float
    after_x: float
    before: float
    after: float


@dataclass(frozen=True)
class LovePlot:
    width: int
    height: int
    plot_left: int
    plot_right: int
    limit_x: float
    axis_max: float
    ticks: list[tuple[float, str]]
    rows: list[LoveRow]


def _x(value: float, axis_max: float) -> float:
    return round(LABEL_WIDTH + PLOT_WIDTH * min(abs(value), axis_max) / axis_max, 1)


def love_plot(balance: list[dict[str, Any]], labels: dict[str, str]) -> LovePlot:
    """|SMD| before (open circle) and after matching (filled), with the 0.1 line."""
    values = [abs(r["smd_before"]) for r in balance if r["smd_before"] is not None]
    axis_max = max(0.25, round(max(values, default=0.25) + 0.05, 1))
    rows = [
        LoveRow(
            label=labels.get(r["covariate"], r["covariate"]),
            y=30 + i * ROW_HEIGHT,
            before_x=_x(r["smd_before"], axis_max),
            after_x=_x(r["smd_after"], axis_max),
            before=round(r["smd_before"], 3),
            after=round(r["smd_after"], 3),
        )
        for i, r in enumerate(
            b for b in balance if b["smd_before"] is not None and b["smd_after"] is not None
        )
    ]
    steps = 5
    ticks = [
        (_x(axis_max * k / steps, axis_max), f"{axis_max * k / steps:.2f}")
        for k in range(steps + 1)
    ]
    return LovePlot(
        width=LABEL_WIDTH + PLOT_WIDTH + 30,
        height=50 + len(rows) * ROW_HEIGHT,
        plot_left=LABEL_WIDTH,
        plot_right=LABEL_WIDTH + PLOT_WIDTH,
        limit_x=_x(SMD_LIMIT, axis_max),
        axis_max=axis_max,
        ticks=ticks,
        rows=rows,
    )


@dataclass(frozen=True)
class IntervalRow:
    label: str
    css: str
    y: int
    low_x: float
    high_x: float
    point_x: float
    text: str


@dataclass(frozen=True)
class EffectChart:
    width: int
    height: int
    zero_x: float
    plot_left: int
    plot_right: int
    ticks: list[tuple[float, str]]
    rows: list[IntervalRow]


def effect_chart(outcome: dict[str, Any]) -> EffectChart | None:
    """Naive, matched and doubly robust differences (percentage points) with 95 % intervals."""
    series = [
        ("Naive (unmatched) comparison", "naive", outcome.get("naive")),
        ("Matched comparison (headline)", "matched", outcome.get("matched")),
        ("Doubly robust check (all on support)", "robust", outcome.get("doubly_robust")),
    ]
    shown = [(label, css, f) for label, css, f in series if f and f.get("estimate") is not None]
    if not shown:
        return None
    bound = max(max(abs(f["ci_low"]), abs(f["ci_high"])) for _, _, f in shown)
    bound = max(0.01, bound * 1.15)

    def x(value: float) -> float:
        return round(LABEL_WIDTH + PLOT_WIDTH * (value + bound) / (2 * bound), 1)

    rows = [
        IntervalRow(
            label=label,
            css=css,
            y=30 + i * 28,
            low_x=x(f["ci_low"]),
            high_x=x(f["ci_high"]),
            point_x=x(f["estimate"]),
            text=f"{100 * f['estimate']:+.1f} points (95% CI {100 * f['ci_low']:+.1f} to "
            f"{100 * f['ci_high']:+.1f})",
        )
        for i, (label, css, f) in enumerate(shown)
    ]
    ticks = [(x(v), f"{100 * v:+.1f}") for v in (-bound, -bound / 2, 0.0, bound / 2, bound)]
    return EffectChart(
        width=LABEL_WIDTH + PLOT_WIDTH + 30,
        height=60 + len(rows) * 28,
        zero_x=x(0.0),
        plot_left=LABEL_WIDTH,
        plot_right=LABEL_WIDTH + PLOT_WIDTH,
        ticks=ticks,
        rows=rows,
    )
