"""Standardisation turns agencies' spellings of the same facts into the same values."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from wraparound.matching.pipeline import LinkageConfigurationError, LinkageInputError
from wraparound.matching.pipeline.catalogues import nickname_to_canonical
from wraparound.matching.pipeline.standardise import (
    parse_dates,
    parse_failures,
    standardise_records,
)

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


def test_a_postcode_that_is_not_uk_shaped_is_kept_as_written_and_counted() -> None:
    frame = pl.DataFrame(
        {"record_key": ["a:1", "a:2"], "source": ["a", "a"], "postcode": ["2119", "nr3 1ab"]}
    )
    standardised = standardise_records(frame)
    row = standardised.row(0, named=True)
    assert (row["postcode_std"], row["postcode_sector"], row["postcode_outward"]) == (
        "2119",
        None,
        None,
    )
    assert parse_failures(standardised) == [
        {
            "source": "a",
            "field": "postcode",
            "code": "postcode_not_uk",
            "problem": "postcode not in UK form; kept as written (no sector or district)",
            "count": 1,
        }
    ]


def test_a_date_of_birth_that_is_no_real_date_is_kept_as_text_and_counted() -> None:
    frame = pl.DataFrame(
        {"record_key": ["a:1", "a:2"], "source": ["a", "a"], "dob": ["1929-02-30", "2001-05-06"]}
    )
    standardised = standardise_records(frame)
    assert standardised["dob_text"].to_list() == ["1929-02-30", "2001-05-06"]
    assert standardised["dob_year"].to_list() == ["1929", "2001"]
    assert [(f["field"], f["count"]) for f in parse_failures(standardised)] == [("dob", 1)]


def test_dates_in_a_numeric_format_that_fail_are_rewritten_in_iso_order() -> None:
    frame = pl.DataFrame({"dob": ["19290230", "19560409", "junk", None]})
    parsed = frame.select(*parse_dates("dob", ("%Y%m%d",)))
    assert parsed["dob"].to_list() == [None, date(1956, 4, 9), None, None]
    assert parsed["dob_unparsed"].to_list() == ["1929-02-30", None, "junk", None]


def test_us_dates_parse_with_their_format() -> None:
    parsed = pl.DataFrame({"dob": ["07/04/1956", "13/45/1990"]}).select(
        *parse_dates("dob", ("%m/%d/%Y",))
    )
    assert parsed["dob"].to_list() == [date(1956, 7, 4), None]
    assert parsed["dob_unparsed"].to_list() == [None, "1990-13-45"]


def test_sex_is_read_from_common_spellings_and_unknowns_are_counted() -> None:
    assert _one(sex="Female")["sex_std"] == "F"
    assert _one(sex="2")["sex_std"] == "F"
    assert _one(sex="m")["sex_std"] == "M"
    frame = pl.DataFrame({"record_key": ["a:1"], "source": ["a"], "sex": ["Unknown"]})
    standardised = standardise_records(frame)
    assert standardised["sex_std"].to_list() == [None]
    assert [f["code"] for f in parse_failures(standardised)] == ["sex_unrecognised"]


def test_named_identifiers_are_cleaned_and_compared_as_text() -> None:
    row = _one(ident_client_id=" ab-123 45 ", ni_number="qq 12 34 56 c")
    assert row["ident_client_id_std"] == "AB12345"
    assert row["ident_ni_number_std"] == "QQ123456C"


def test_an_identifier_or_address_with_nothing_readable_is_counted_not_silently_dropped() -> None:
    frame = pl.DataFrame(
        {
            "record_key": ["a:1", "a:2"],
            "source": ["a", "a"],
            "ident_client_id": ["--", "AB1"],
            "address_line": ["***", "1 High St"],
        }
    )
    failures = {
        f["field"]: (f["code"], f["count"]) for f in parse_failures(standardise_records(frame))
    }
    assert failures == {
        "client_id": ("identifier_without_letters_or_digits", 1),
        "address": ("address_without_letters_or_digits", 1),
    }


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
