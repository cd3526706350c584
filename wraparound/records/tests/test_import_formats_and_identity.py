"""Imports read each date column in its own format, chosen from the file's examples; records
with nothing to identify the person by are left out with the reason; postcodes are checked."""

from __future__ import annotations

from datetime import date

from wraparound.records.pipeline.mapping import (
    Mapping,
    date_format_choices,
    describe_format,
    event_kinds,
    suggest_mapping,
)
from wraparound.records.pipeline.reading import RawTable
from wraparound.records.pipeline.standardise import standardise

HEADERS = ["Person ID", "Forename", "Surname", "DOB", "Postcode", "A&E visit"]


def _table(*rows: list[str | None]) -> RawTable:
    return RawTable(
        headers=HEADERS,
        rows=[list(r) for r in rows],
        row_numbers=list(range(2, len(rows) + 2)),
        file_format="csv",
    )


def _mapping(table: RawTable) -> Mapping:
    mapping = suggest_mapping(table, agency="icb", dataset="flags", event_kinds=event_kinds())
    mapping.columns["A&E visit"] = "event:ae_injury"
    return mapping


def test_births_written_day_first_and_events_written_iso_both_import() -> None:
    table = _table(
        ["1", "Mia", "Shah", "31/12/2015", "AB1 2CD", "2025-03-04"],
        ["2", "Leo", "Shah", "03/04/2018", "AB1 2CD", "2025-11-20"],
    )
    mapping = _mapping(table)
    assert mapping.column_formats == {"DOB": "%d/%m/%Y", "A&E visit": "%Y-%m-%d"}
    result = standardise(table, mapping, source="icb:flags", received=date(2026, 4, 1))
    assert not result.errors, result.errors
    assert result.records["dob"].to_list() == [date(2015, 12, 31), date(2018, 4, 3)]
    assert result.events["event_date"].to_list() == [date(2025, 3, 4), date(2025, 11, 20)]


def test_formats_are_offered_in_words_with_an_example_from_the_file() -> None:
    choices = date_format_choices(["03/04/2018", "31/12/2015"])
    assert [c.label for c in choices] == ["day/month/year, like 03/04/2018"]
    both = [c.code for c in date_format_choices(["03/04/2018", "04/05/2019"])]
    assert both == ["%d/%m/%Y", "%m/%d/%Y"], "an ambiguous column offers both readings"
    assert "%" not in describe_format("%d %b %Y")
    assert date_format_choices(["Mia", "Leo"]) == []


def test_a_record_with_nothing_to_identify_the_person_by_is_left_out_with_the_reason() -> None:
    table = _table(
        ["1", "Mia", "Shah", "31/12/2015", "AB1 2CD", "2025-03-04"],
        ["2", None, None, None, None, "2025-05-06"],
    )
    result = standardise(table, _mapping(table), source="icb:flags", received=date(2026, 4, 1))
    assert result.records["source_id"].to_list() == ["1"]
    assert result.events["source_id"].to_list() == ["1"]
    (warning,) = [w for w in result.warnings if w.row == 3]
    assert "nothing to identify the person by" in warning.reason


def test_a_value_that_is_not_a_postcode_is_flagged_and_not_used_for_matching() -> None:
    table = _table(
        ["1", "Mia", "Shah", "31/12/2015", "NOTAPOSTCODE", "2025-03-04"],
        ["2", "Leo", "Shah", "03/04/2018", "ab1 2cd", "2025-11-20"],
    )
    result = standardise(table, _mapping(table), source="icb:flags", received=date(2026, 4, 1))
    assert result.records["postcode"].to_list() == [None, "ab1 2cd"]
    (warning,) = [w for w in result.warnings if w.column == "Postcode"]
    assert warning.value == "NOTAPOSTCODE"
    assert "not a UK postcode" in warning.reason
