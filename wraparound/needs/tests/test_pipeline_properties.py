"""The bulk SQL agrees with a plain reading of the rules, on random families and events."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wraparound.needs.indicators import Indicator, load_catalogue
from wraparound.needs.pipeline import identify_needs
from wraparound.needs.tests.frames import events, membership

pytestmark = pytest.mark.pipeline

REF = dt.date(2026, 3, 31)
CATALOGUE = load_catalogue()
KINDS = sorted({k for i in CATALOGUE.indicators for k in i.kinds})
PEOPLE = {  # person -> (family, date of birth)
    "P-1": ("F-1", dt.date(1980, 1, 1)),
    "P-2": ("F-1", dt.date(2012, 1, 1)),
    "P-3": ("F-2", dt.date(2007, 6, 1)),  # turns 18 inside the windows (2025-06-01)
    "P-4": ("F-2", dt.date(1975, 1, 1)),
}

event_rows = st.lists(
    st.tuples(
        st.sampled_from(sorted(PEOPLE)),
        st.sampled_from(KINDS),
        st.one_of(  # days before the reference date, window edges included
            st.integers(min_value=-5, max_value=800),
            st.sampled_from([-1, 0, 364, 365, 366, 729, 730, 731, 1094, 1095]),
        ),
    ),
    max_size=40,
)


def _applies(indicator: Indicator, dob: dt.date, day: dt.date) -> bool:
    child = day < dob.replace(year=dob.year + 18)
    return {"child": child, "adult": not child}.get(indicator.applies_to, True)


def _expected(rows: list[tuple[str, str, int]]) -> set[tuple[str, str, int]]:
    """(family, indicator, count) read straight off the catalogue, one rule at a time."""
    found = set()
    for indicator in CATALOGUE.indicators:
        for family in ("F-1", "F-2"):
            count = 0
            for person, kind, before in rows:
                day = REF - dt.timedelta(days=before)
                fam, dob = PEOPLE[person]
                if (
                    fam == family
                    and kind in indicator.kinds
                    and 0 <= before < indicator.window_days
                ):
                    count += _applies(indicator, dob, day)
            if count >= indicator.min_count:
                found.add((family, indicator.key, count))
    return found


@settings(max_examples=40, deadline=None)
@given(event_rows)
def test_flags_are_exactly_the_rules_met(rows: list[tuple[str, str, int]]) -> None:
    evs = events(
        *[(PEOPLE[p][0], p, k, (REF - dt.timedelta(days=d)).isoformat()) for p, k, d in rows]
    )
    mem = membership(
        *[(fam, p, None, "Harbridge", dob.isoformat()) for p, (fam, dob) in PEOPLE.items()]
    )
    result = identify_needs(evs, mem, reference_date=REF, catalogue=CATALOGUE)
    got = {
        (r["family_public_id"], r["indicator_key"], r["event_count"])
        for r in result.flags.iter_rows(named=True)
    }
    assert got == _expected(rows)
    for flag in result.flags.iter_rows(named=True):
        assert len(flag["evidence"]) == flag["event_count"]
        assert all(REF - dt.timedelta(days=800) <= e["event_date"] <= REF for e in flag["evidence"])
    outcomes = result.flags.group_by("family_public_id").agg(pl.col("outcome").n_unique())
    for family, n in outcomes.iter_rows():
        profile = result.profiles.filter(pl.col("family_public_id") == family).row(0, named=True)
        assert profile["outcome_count"] == n
        assert profile["at_risk"] == (n >= CATALOGUE.at_risk.min_outcomes)
