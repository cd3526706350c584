"""The synthetic extracts, read through the import pipeline, disagree with the truth exactly
where a real county's would: moves, name changes, typos, blanks; and agree where they should."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from wraparound.records.pipeline.mapping import shipped_mapping
from wraparound.records.pipeline.reading import read_extract
from wraparound.records.pipeline.standardise import standardise

pytestmark = pytest.mark.pipeline


@pytest.fixture(scope="module")
def standardised(county: Path) -> pl.DataFrame:
    """Every record of every extract, standardised, joined to the true person and family."""
    manifest = json.loads((county / "manifest.json").read_text())
    frames = []
    for entry in manifest["extracts"]:
        source = f"{entry['agency_slug']}:{entry['dataset_kind']}"
        mapping = shipped_mapping(entry["agency_slug"], entry["dataset_kind"])
        assert mapping is not None
        table = read_extract(county / entry["file"], max_bytes=10**8)
        result = standardise(table, mapping, source=source, received=date(2026, 4, 1))
        frames.append(result.records.with_columns(pl.lit(source).alias("source")))
    records = pl.concat(frames, how="diagonal_relaxed")
    truth = pl.read_parquet(county / "truth" / "records.parquet")
    persons = pl.read_parquet(county / "truth" / "persons.parquet").rename(
        {
            "surname": "true_surname",
            "dob": "true_dob",
            "nhs_number": "true_nhs",
            "first_name": "true_first",
        }
    )
    families = pl.read_parquet(county / "truth" / "families.parquet").select(
        "family_id", pl.col("postcode").alias("true_postcode"), "previous_postcode"
    )
    return (
        records.join(truth, on=["source", "source_id"])
        .join(persons, on="person_id")
        .join(families, on="family_id")
    )


def test_every_imported_record_is_a_true_record(county: Path, standardised: pl.DataFrame) -> None:
    truth = pl.read_parquet(county / "truth" / "records.parquet")
    assert standardised.height == truth.height


def test_nhs_numbers_when_given_are_the_persons_own(standardised: pl.DataFrame) -> None:
    given = standardised.filter(pl.col("nhs_number").is_not_null())
    assert given.height > 100
    assert (given["nhs_number"] == given["true_nhs"]).all()


def test_most_dates_of_birth_agree_but_not_all(standardised: pl.DataFrame) -> None:
    given = standardised.filter(pl.col("dob").is_not_null())
    agree = (given["dob"] == given["true_dob"]).mean()
    assert 0.95 < agree < 1.0


def test_names_disagree_through_nicknames_typos_and_surname_changes(
    standardised: pl.DataFrame,
) -> None:
    first_differs = standardised.filter(pl.col("first_name") != pl.col("true_first")).height
    assert first_differs > 10
    changed = standardised.filter(pl.col("previous_surname").is_not_null())
    assert (
        changed.filter(
            pl.col("surname").str.to_lowercase() == pl.col("previous_surname").str.to_lowercase()
        ).height
        > 0
    )


def test_movers_appear_at_their_old_address_in_some_agencies(standardised: pl.DataFrame) -> None:
    squash = pl.col("postcode").str.replace_all(" ", "")
    movers = standardised.filter(
        pl.col("previous_postcode").is_not_null() & pl.col("postcode").is_not_null()
    )
    old = movers.filter(squash == pl.col("previous_postcode").str.replace_all(" ", "")).height
    new = movers.filter(squash == pl.col("true_postcode").str.replace_all(" ", "")).height
    assert old > 0
    assert new > 0
