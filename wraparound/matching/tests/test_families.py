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
