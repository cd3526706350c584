"""Families are grouped from shared household references and homes, not from surnames alone."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from wraparound.matching.pipeline.families import group_families
from wraparound.matching.pipeline.standardise import standardise_records

pytestmark = pytest.mark.pipeline


def _families(rows: list[dict[str, object]]) -> dict[str, str]:
    records = pl.DataFrame(
        [{"source": "a:b", "recorded_at": date(2025, 1, 1), **row} for row in rows],
        infer_schema_length=None,
    )
    clusters = records.select("record_key", pl.col("record_key").alias("cluster_id"))
    grouped = group_families(standardise_records(records), clusters, as_of=date(2026, 1, 1))
    return dict(grouped.select("cluster_id", "family_key").iter_rows())


def test_people_at_the_same_address_form_one_family_whatever_their_surnames() -> None:
    family = _families(
        [
            {
                "record_key": "mum",
                "surname": "Booth",
                "postcode": "YH1 1AA",
                "address_line": "3 Elm Road",
            },
            {
                "record_key": "kid",
                "surname": "Ward",
                "postcode": "YH11AA",
                "address_line": "3 Elm Rd",
            },
        ]
    )
    assert family["mum"] == family["kid"]


def test_a_postcode_only_child_joins_a_relative_of_the_same_surname_there() -> None:
    family = _families(
        [
            {
                "record_key": "mum",
                "surname": "Ward",
                "postcode": "YH1 1AA",
                "address_line": "3 Elm Road",
            },
            {"record_key": "kid", "surname": "Ward", "postcode": "YH1 1AA"},
        ]
    )
    assert family["mum"] == family["kid"]


def test_neighbours_sharing_a_surname_and_postcode_stay_separate_families() -> None:
    family = _families(
        [
            {
                "record_key": "smith-3",
                "surname": "Smith",
                "postcode": "YH1 1AA",
                "address_line": "3 Elm Road",
            },
            {
                "record_key": "smith-5",
                "surname": "Smith",
                "postcode": "YH1 1AA",
                "address_line": "5 Elm Road",
            },
        ]
    )
    assert family["smith-3"] != family["smith-5"]


def test_an_agency_household_reference_joins_people_at_different_addresses() -> None:
    family = _families(
        [
            {
                "record_key": "dad",
                "household_ref": "CASE-1",
                "postcode": "YH1 1AA",
                "address_line": "1 Oak Way",
            },
            {
                "record_key": "kid",
                "household_ref": "CASE-1",
                "postcode": "YH2 2BB",
                "address_line": "9 Ash Way",
            },
        ]
    )
    assert family["dad"] == family["kid"]


def test_children_and_adults_are_told_apart_by_date_of_birth() -> None:
    records = pl.DataFrame(
        [
            {
                "record_key": "a",
                "source": "s",
                "dob": date(1990, 1, 1),
                "address_line": "1 A St",
                "postcode": "YH1 1AA",
            },
            {
                "record_key": "b",
                "source": "s",
                "dob": date(2015, 1, 1),
                "address_line": "1 A St",
                "postcode": "YH1 1AA",
            },
        ]
    )
    clusters = records.select("record_key", pl.col("record_key").alias("cluster_id"))
    roles = dict(
        group_families(standardise_records(records), clusters, as_of=date(2026, 1, 1))
        .select("cluster_id", "role")
        .iter_rows()
    )
    assert roles == {"a": "adult", "b": "child"}


def _home(key: str, surname: str, address: str | None, postcode: str | None, **extra: object):
    return {
        "record_key": key,
        "surname": surname,
        "address_line": address,
        "postcode": postcode,
        **extra,
    }


def _families_of_people(rows: list[dict[str, object]]) -> dict[str, str]:
    """Like ``_families`` but ``person`` names the linked person each record belongs to."""
    records = pl.DataFrame([{"source": "a:b", **row} for row in rows], infer_schema_length=None)
    clusters = records.select("record_key", pl.col("person").alias("cluster_id"))
    grouped = group_families(
        standardise_records(records.drop("person")), clusters, as_of=date(2026, 1, 1)
    )
    return dict(grouped.select("cluster_id", "family_key").iter_rows())


def test_a_family_that_moved_stays_together_through_a_person_recorded_at_both_homes() -> None:
    old, new = ("3 Elm Road", "YH1 1AA"), ("9 Ash Way", "YH2 2BB")
    family = _families_of_people(
        [
            # the school still has the eldest at the old home; the GP has moved him on
            {**_home("school-1", "Ward", *old), "person": "eldest", "recorded_at": "2024-09-01"},
            {**_home("gp-1", "Ward", *new), "person": "eldest", "recorded_at": "2025-06-01"},
            {**_home("school-2", "Ward", *old), "person": "younger", "recorded_at": "2025-09-01"},
        ]
    )
    assert family["eldest"] == family["younger"]


def test_the_family_that_moved_in_is_not_joined_to_the_one_that_moved_out() -> None:
    home = ("3 Elm Road", "YH1 1AA")
    family = _families_of_people(
        [
            {**_home("old-1", "Ward", *home), "person": "ward", "recorded_at": "2023-01-01"},
            {
                **_home("old-2", "Ward", "9 Ash Way", "YH2 2BB"),
                "person": "ward",
                "recorded_at": "2025-01-01",
            },
            {**_home("new-1", "Khan", *home), "person": "khan", "recorded_at": "2025-06-01"},
        ]
    )
    assert family["ward"] != family["khan"]


def test_a_postcode_only_child_with_a_mis_keyed_surname_still_joins_the_household() -> None:
    family = _families(
        [
            _home("mum", "Young", "3 Elm Road", "YH1 1AA"),
            _home("kid", "Younng", None, "YH1 1AA"),
        ]
    )
    assert family["mum"] == family["kid"]


def test_a_postcode_only_child_of_a_different_name_is_not_guessed_into_a_household() -> None:
    family = _families(
        [
            _home("mum", "Hill", "3 Elm Road", "YH1 1AA"),
            _home("kid", "Hall", None, "YH1 1AA"),
        ]
    )
    assert family["mum"] != family["kid"]


def test_a_double_barrelled_child_joins_the_household_of_either_name() -> None:
    family = _families(
        [
            _home("mum", "Taylor", "3 Elm Road", "YH1 1AA"),
            _home("kid", "Smith-Taylor", None, "YH1 1AA"),
        ]
    )
    assert family["mum"] == family["kid"]


def test_a_postcode_only_child_between_two_like_named_households_joins_neither() -> None:
    """Joining both would make two neighbouring households one family through the child."""
    family = _families(
        [
            _home("smith-3", "Smith", "3 Elm Road", "YH1 1AA"),
            _home("smith-5", "Smith", "5 Elm Road", "YH1 1AA"),
            _home("kid", "Smith", None, "YH1 1AA"),
        ]
    )
    assert len({family["smith-3"], family["smith-5"], family["kid"]}) == 3


def test_postcode_only_siblings_of_one_name_are_one_family() -> None:
    family = _families(
        [_home("kid-1", "Ward", None, "YH1 1AA"), _home("kid-2", "Ward", None, "YH1 1AA")]
    )
    assert family["kid-1"] == family["kid-2"]
