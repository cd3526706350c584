"""Small-number suppression: primary below the threshold, secondary so nothing can be derived."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wraparound.needs.suppression import Suppression, suppress

pytestmark = pytest.mark.pipeline


def test_counts_below_the_threshold_are_shown_as_less_than_it() -> None:
    cells = suppress({"a": 3, "b": 0, "c": 5, "d": 12}, [], threshold=5)
    assert cells["a"].display() == "<5"
    assert cells["a"].suppression is Suppression.PRIMARY
    assert cells["b"].display() == "0"
    assert cells["c"].display() == "5"


def test_a_lone_suppressed_cell_in_a_total_gets_a_partner_so_it_cannot_be_subtracted() -> None:
    values = {"a": 3, "b": 40, "c": 20, "total": 63}
    cells = suppress(values, [["a", "b", "c", "total"]], threshold=5)
    assert cells["a"].suppression is Suppression.PRIMARY
    assert cells["c"].suppression is Suppression.SECONDARY  # the smallest other part
    assert cells["c"].display() == "suppressed"
    assert cells["b"].shown
    assert cells["total"].shown


def test_secondary_suppression_follows_through_overlapping_totals() -> None:
    # rows r1, r2 and a column total; suppressing r1.a forces r1.b, which forces r2.b
    values = {"r1.a": 2, "r1.b": 30, "r1.t": 32, "r2.a": 50, "r2.b": 60, "r2.t": 110,
              "c.a": 52, "c.b": 90, "c.t": 142}  # fmt: skip
    groups = [["r1.a", "r1.b", "r1.t"], ["r2.a", "r2.b", "r2.t"], ["r1.a", "r2.a", "c.a"],
              ["r1.b", "r2.b", "c.b"], ["c.a", "c.b", "c.t"]]  # fmt: skip
    cells = suppress(values, groups, threshold=5)
    hidden = {k for k, c in cells.items() if not c.shown}
    for group in groups:
        assert len(hidden & set(group)) != 1, group


def test_a_threshold_of_one_suppresses_nothing() -> None:
    assert all(c.shown for c in suppress({"a": 1, "b": 2}, [["a", "b"]], threshold=1).values())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 30), min_size=3, max_size=3), min_size=1, max_size=5))
def test_no_row_or_column_ever_has_exactly_one_hidden_figure(table: list[list[int]]) -> None:
    values: dict[tuple[int, int], int] = {}
    groups: list[list[tuple[int, int]]] = []
    for r, row in enumerate(table):
        for c, v in enumerate(row):
            values[(r, c)] = v
        values[(r, 3)] = sum(row)
        groups.append([(r, c) for c in range(4)])
    total = len(table)
    for c in range(4):
        values[(total, c)] = sum(values[(r, c)] for r in range(total))
        groups.append([(r, c) for r in range(total + 1)])
    groups.append([(total, c) for c in range(4)])
    cells = suppress(values, groups, threshold=5)
    for key, cell in cells.items():
        if 0 < values[key] < 5:
            assert not cell.shown
    for group in groups:
        assert sum(not cells[k].shown for k in group) != 1
