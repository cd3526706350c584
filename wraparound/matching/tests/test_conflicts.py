"""Clustering refuses joins that would make two people with contradicting facts one person."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wraparound.matching.pipeline.conflicts import (
    Identity,
    cluster_without_contradictions,
    dates_of_birth_compatible,
)

pytestmark = pytest.mark.pipeline


def _pairs(*rows: tuple[str, str, float]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema=["record_key_l", "record_key_r", "match_probability"], orient="row"
    )


def _cluster(known: dict[str, Identity], pairs: pl.DataFrame, **kwargs: object) -> dict[str, str]:
    keys = pl.Series(sorted(known))
    clusters, _ = cluster_without_contradictions(keys, pairs, known, **kwargs)  # type: ignore[arg-type]
    return dict(clusters.iter_rows())


def test_a_record_without_a_birthday_does_not_make_two_sisters_of_one_name_one_person() -> None:
    known = {
        "florence-2012": Identity(dates_of_birth={date(2012, 4, 28)}),
        "florence-2013": Identity(dates_of_birth={date(2013, 7, 17)}),
        "police-no-dob": Identity(),
    }
    cluster = _cluster(
        known,
        _pairs(("police-no-dob", "florence-2013", 0.99), ("police-no-dob", "florence-2012", 0.98)),
    )
    assert cluster["police-no-dob"] == cluster["florence-2013"]  # the stronger pair wins
    assert cluster["florence-2012"] != cluster["florence-2013"]


def test_the_refused_pair_is_returned_for_review() -> None:
    known = {
        "a": Identity(nhs_numbers={"4010232137"}),
        "b": Identity(nhs_numbers={"9434765919"}),
        "c": Identity(),
    }
    _, refused = cluster_without_contradictions(
        pl.Series(["a", "b", "c"]), _pairs(("c", "a", 0.99), ("c", "b", 0.97)), known
    )
    assert refused.rows() == [("c", "b")]


def test_different_nhs_numbers_or_pupil_numbers_keep_people_apart() -> None:
    known = {
        "a": Identity(nhs_numbers={"4010232137"}),
        "b": Identity(nhs_numbers={"9434765919"}),
        "c": Identity(upns={"A123"}),
        "d": Identity(upns={"B456"}),
    }
    cluster = _cluster(known, _pairs(("a", "b", 0.999), ("c", "d", 0.999)))
    assert cluster["a"] != cluster["b"]
    assert cluster["c"] != cluster["d"]


def test_a_reviewers_forced_link_is_kept_even_against_the_identifiers() -> None:
    known = {"a": Identity(upns={"A123"}), "b": Identity(upns={"B456"})}
    cluster = _cluster(known, _pairs(), forced_links=[("a", "b")])
    assert cluster["a"] == cluster["b"]


def test_one_person_with_a_mis_keyed_birthday_is_still_joined() -> None:
    known = {
        "gp": Identity(dates_of_birth={date(2011, 2, 6)}),
        "school": Identity(dates_of_birth={date(2011, 6, 2)}),  # day and month swapped
    }
    cluster = _cluster(known, _pairs(("gp", "school", 0.97)))
    assert cluster["gp"] == cluster["school"]


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (date(2011, 2, 6), date(2011, 6, 2)),  # day and month swapped
        (date(1983, 12, 27), date(1982, 12, 27)),  # year out by one
        (date(2011, 3, 1), date(2011, 2, 28)),  # a day out, across a month end
        (date(1982, 5, 14), date(1928, 5, 14)),  # adjacent digits transposed
        (date(1939, 11, 23), date(1939, 12, 13)),  # transposed across month and day (1123/1213)
        (date(2010, 7, 19), date(2010, 7, 9)),  # day mistyped
    ],
)
def test_recording_slips_leave_dates_of_birth_compatible(left: date, right: date) -> None:
    assert dates_of_birth_compatible(left, right)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (date(1983, 12, 27), date(2009, 10, 24)),  # mother and daughter
        (date(2016, 12, 11), date(2014, 8, 23)),  # siblings
    ],
)
def test_relatives_birthdays_contradict(left: date, right: date) -> None:
    assert not dates_of_birth_compatible(left, right)


@given(st.dates(), st.dates())
def test_compatibility_is_symmetric_and_reflexive(left: date, right: date) -> None:
    assert dates_of_birth_compatible(left, left)
    assert dates_of_birth_compatible(left, right) == dates_of_birth_compatible(right, left)


@given(
    st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7), st.floats(0.5, 1.0)), max_size=30),
    st.lists(st.one_of(st.none(), st.sampled_from(["A", "B", "C"])), min_size=8, max_size=8),
)
def test_no_cluster_ever_holds_two_different_pupil_numbers(
    edges: list[tuple[int, int, float]], upns: list[str | None]
) -> None:
    keys = [f"r{i}" for i in range(8)]
    known = {
        key: Identity(upns={upn} if upn else set()) for key, upn in zip(keys, upns, strict=True)
    }
    pairs = _pairs(*((keys[a], keys[b], p) for a, b, p in edges if a != b))
    cluster = _cluster(known, pairs)
    held: dict[str, set[str]] = {}
    for key, upn in zip(keys, upns, strict=True):
        if upn:
            held.setdefault(cluster[key], set()).add(upn)
    assert all(len(found) == 1 for found in held.values())
