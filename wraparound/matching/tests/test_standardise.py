"""Standardisation turns agencies' spellings of the same facts into the same values."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from wraparound.matching.pipeline import LinkageConfigurationError, LinkageInputError
from wraparound.matching.pipeline.catalogues import nickname_to_canonical
from wraparound.matching.pipeline.standardise import standardise_records

pytestmark = pytest.mark.pipeline


def _one(**fields: object) -> dict[str, object]:
    frame = pl.DataFrame([{"record_key": "a:1", "source": "a", **fields}], infer_schema_length=None)
    return standardise_records(frame).row(0, named=True)


def test_bill_and_william_fall_in_the_same_name_group() -> None:
    assert _one(first_name="BILL")["first_name_group"] == "william"
    assert _one(first_name="William")["first_name_group"] == "william"
    assert _one(first_name="Xanthe")["first_name_group"] == "xanthe"


def test_names_are_lower_case_ascii_without_punctuation() -> None:
    row = _one(first_name="  Zoë-Anne ", surname="O'Brien-Smith")
    assert row["first_name_std"] == "zoe"
    assert row["surname_std"] == "obriensmith"


def test_postcode_is_formatted_with_sector_and_outward_code() -> None:
    row = _one(postcode="nr31ab")
    assert (row["postcode_std"], row["postcode_sector"], row["postcode_outward"]) == (
        "NR3 1AB",
        "NR3 1",
        "NR3",
    )
    assert _one(postcode="not a postcode")["postcode_std"] is None


def test_birthday_with_day_and_month_swappable_gets_a_swapped_form() -> None:
    assert _one(dob=date(2012, 3, 7))["dob_swapped"] == "2012-07-03"
    assert _one(dob=date(2012, 3, 17))["dob_swapped"] is None
    assert _one(dob="2012-03-07")["dob_text"] == "2012-03-07"


def test_invalid_nhs_number_and_upn_become_missing_not_evidence() -> None:
    row = _one(nhs_number="9434765918", upn="B000000000000")
    assert row["nhs_number_std"] is None
    assert row["upn_std"] is None
    assert _one(nhs_number="943 476 5919")["nhs_number_std"] == "9434765919"


def test_address_abbreviations_are_expanded() -> None:
    assert _one(address_line="12, High St.")["address_std"] == "12 high street"


def test_missing_record_key_column_is_a_clear_error() -> None:
    with pytest.raises(LinkageInputError, match="record_key"):
        standardise_records(pl.DataFrame({"source": ["a"]}))


def test_duplicate_record_keys_are_refused() -> None:
    frame = pl.DataFrame({"record_key": ["a:1", "a:1"], "source": ["a", "a"]})
    with pytest.raises(LinkageInputError, match="unique"):
        standardise_records(frame)


def test_nickname_listed_under_two_names_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nicknames.yaml"
    path.write_text("groups:\n  william: [bill]\n  robert: [bill]\n", encoding="utf-8")
    with pytest.raises(LinkageConfigurationError, match="bill"):
        nickname_to_canonical(path)
