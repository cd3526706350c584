"""Geometry for a family's distance-travelled chart: each outcome area's status over time.

Drawn as server-side SVG by ``templates/outcomes/_timeline.svg.html`` (no scripts, no inline
styles, as the content security policy requires). Rows are outcome areas, columns the
baseline and each review; a dot's height within its row is the status (worse at the bottom,
met at the top), and a line joins an area's dots so the direction of travel shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from wraparound.outcomes.rules import ProgressStatus

LABEL_WIDTH = 230
COLUMN_WIDTH = 90
ROW_HEIGHT = 44
TOP = 30
# At the baseline a need is, by definition, a need: drawn at "no change" height.
LEVEL = {
    ProgressStatus.WORSE: 0,
    ProgressStatus.NO_CHANGE: 1,
    ProgressStatus.IMPROVING: 2,
    ProgressStatus.MET: 3,
}


@dataclass(frozen=True)
class Dot:
    x: int
    y: int
    status: str
    text: str


@dataclass(frozen=True)
class Row:
    label: str
    label_y: int
    points: str
    dots: list[Dot]


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    columns: list[tuple[int, str]]
    rows: list[Row]


def timeline(
    *, areas: list[tuple[str, list[tuple[dt.date, ProgressStatus | None]]]], dates: list[dt.date]
) -> Timeline:
    """``areas``: (outcome label, [(date, worst status of its needs that day)]), baseline first."""
    columns = [
        (LABEL_WIDTH + COLUMN_WIDTH * i + COLUMN_WIDTH // 2, f"{d:%b %Y}")
        for i, d in enumerate(dates)
    ]
    x_of = {d: LABEL_WIDTH + COLUMN_WIDTH * i + COLUMN_WIDTH // 2 for i, d in enumerate(dates)}
    rows = []
    for index, (label, points) in enumerate(areas):
        top = TOP + ROW_HEIGHT * index
        dots = []
        for when, status in points:
            level = LEVEL[status] if status is not None else 1
            text = f"{label}, {when:%d %b %Y}: {status.label if status else 'baseline need'}"
            dots.append(
                Dot(
                    x_of[when],
                    top + ROW_HEIGHT - 8 - level * 10,
                    status.value if status else "baseline",
                    text,
                )
            )
        rows.append(Row(label, top + ROW_HEIGHT // 2, " ".join(f"{d.x},{d.y}" for d in dots), dots))
    width = LABEL_WIDTH + COLUMN_WIDTH * max(1, len(dates))
    return Timeline(width, TOP + ROW_HEIGHT * max(1, len(areas)) + 10, columns, rows)
