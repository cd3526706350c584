"""Reading any agency file and suggesting how its columns map (pure, no database)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wraparound.records.pipeline.mapping import (
    Mapping,
    MappingError,
    event_kinds,
    guess_date_format,
    shipped_mapping,
    suggest_mapping,
)
from wraparound.records.pipeline.reading import (
    ExtractUnreadableError,
    read_extract,
    read_text_bytes,
)
from wraparound.records.pipeline.standardise import standardise

pytestmark = pytest.mark.pipeline


def test_semicolon_and_tab_separated_files_are_sniffed() -> None:
    semi = read_text_bytes(b"Pupil UPN;Surname\r\nA1;Smith\r\nB2;Jones\r\n")
    tab = read_text_bytes(b"Nominal ID\tSurname\nN1\tSMITH\n")
    assert (semi.delimiter, semi.headers, semi.rows[1]) == (
        ";",
        ["Pupil UPN", "Surname"],
        ["B2", "Jones"],
    )
    assert (tab.delimiter, tab.rows) == ("\t", [["N1", "SMITH"]])


def test_windows_1252_names_and_pound_signs_are_decoded_correctly() -> None:
    table = read_text_bytes("Name,Balance\nZoë Siân,£412.50\n".encode("cp1252"))
    assert table.encoding == "cp1252"
    assert table.rows == [["Zoë Siân", "£412.50"]]


def test_utf8_byte_order_mark_is_not_part_of_the_first_header() -> None:
    table = read_text_bytes("Family ID,Name\nF1,Ann\n".encode("utf-8-sig"))
    assert table.headers[0] == "Family ID"


def test_a_declared_encoding_that_does_not_fit_is_an_error_naming_the_byte() -> None:
    with pytest.raises(ExtractUnreadableError, match=r"not valid utf-8: byte 7 .*windows-1252"):
        read_text_bytes("Name\nZoë Smith\n".encode("cp1252"), encoding="utf-8")


def test_binary_data_is_refused_with_advice() -> None:
    with pytest.raises(ExtractUnreadableError, match="binary data"):
        read_text_bytes(b"\x00\x01\x02garbage\x00" * 20)


def test_truncated_csv_is_reported_with_the_row() -> None:
    with pytest.raises(ExtractUnreadableError, match=r"Row 3 has 2 values .* truncated"):
        read_text_bytes(b"ID,Surname,DOB\nA1,Smith,01/01/2010\nA2,Jon")
    with pytest.raises(ExtractUnreadableError, match="truncated"):
        read_text_bytes(b'ID,Surname\nA1,"Smith')


def test_empty_files_are_refused_and_header_only_files_read_as_no_rows() -> None:
    with pytest.raises(ExtractUnreadableError, match="empty"):
        read_text_bytes(b"  \n")
    table = read_text_bytes(b"ID,Surname\n")
    assert (table.headers, table.rows) == (["ID", "Surname"], [])
    assert "no data rows" in table.notes[0]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"ID\n" + b"A\n" * 600)
    with pytest.raises(ExtractUnreadableError, match=r"larger than the import limit of 1.0 KB"):
        read_extract(big, max_bytes=1024)


def test_truncated_spreadsheet_is_refused(county: Path, tmp_path: Path) -> None:
    whole = (county / "extracts" / "hartshire-womens-aid__referrals.xlsx").read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ExtractUnreadableError, match="truncated"):
        read_extract(cut, max_bytes=10**8)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.lists(
            st.text(
                alphabet=st.characters(codec="cp1252", exclude_categories=("Cc", "Cs")), max_size=12
            ),
            min_size=3,
            max_size=3,
        ),
        min_size=1,
        max_size=8,
    ),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_any_csv_written_by_a_spreadsheet_reads_back_cell_for_cell(
    rows: list[list[str]], delimiter: str, encoding: str
) -> None:
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL)
    writer.writerow(["Person ID", "First name", "Surname"])
    writer.writerows(rows)
    table = read_text_bytes(
        buffer.getvalue().encode(encoding), encoding=None if encoding != "cp1252" else "cp1252"
    )
    assert table.headers == ["Person ID", "First name", "Surname"]
    assert table.rows == rows


def test_us_style_dates_are_recognised_when_no_day_first_reading_fits() -> None:
    assert guess_date_format(["09/21/1985", "03/15/1998"]) == "%m/%d/%Y"
    assert guess_date_format(["21/09/1985", "03/05/1998"]) == "%d/%m/%Y"
    assert guess_date_format([date(2020, 1, 1)]) is None


def test_a_new_extract_gets_a_sensible_suggested_mapping(county: Path) -> None:
    table = read_extract(county / "extracts" / "hartshire-police__incidents.csv", max_bytes=10**8)
    mapping = suggest_mapping(
        table, agency="hartshire-police", dataset="incidents", event_kinds=event_kinds()
    )
    assert mapping.rows == "events"
    assert mapping.columns["Nominal ID"] == "source_id"
    assert mapping.columns["Forenames"] == "forenames"
    assert mapping.event_date_format == "%d/%m/%Y %H:%M"
    assert mapping.event_values["DOMESTIC INCIDENT"] == "domestic_abuse_incident"
    mapping.validate(event_kinds())


def test_every_shipped_mapping_is_valid_and_reads_its_synthetic_extract_without_errors(
    county: Path,
) -> None:
    import json

    manifest = json.loads((county / "manifest.json").read_text())
    for entry in manifest["extracts"]:
        mapping = shipped_mapping(entry["agency_slug"], entry["dataset_kind"])
        assert mapping is not None, entry["file"]
        mapping.validate(event_kinds())
        table = read_extract(county / entry["file"], max_bytes=10**8)
        result = standardise(table, mapping, source="x:y", received=date(2026, 4, 1))
        assert not result.errors, (entry["file"], result.errors[:3])
        assert result.events.filter(result.events["kind"] == "other").height == 0, entry["file"]


def test_names_in_one_column_are_split_into_first_middle_and_surname() -> None:
    table = read_text_bytes(b'Ref,Tenant Name,Client name\nT1,"SMITH, John Paul",Mary Ann Jones\n')
    mapping = Mapping(
        agency="a",
        dataset="b",
        columns={
            "Ref": "source_id",
            "Tenant Name": "full_name_surname_first",
            "Client name": "ignore",
        },
    )
    record = standardise(table, mapping, source="a:b", received=date(2026, 1, 1)).records.row(
        0, named=True
    )
    assert (record["first_name"], record["middle_names"], record["surname"]) == (
        "John",
        "Paul",
        "SMITH",
    )
    mapping.columns = {"Ref": "source_id", "Tenant Name": "ignore", "Client name": "full_name"}
    record = standardise(table, mapping, source="a:b", received=date(2026, 1, 1)).records.row(
        0, named=True
    )
    assert (record["first_name"], record["middle_names"], record["surname"]) == (
        "Mary",
        "Ann",
        "Jones",
    )


def test_a_mapping_without_a_record_id_is_refused() -> None:
    with pytest.raises(MappingError, match="source_id"):
        Mapping(agency="a", dataset="b", columns={"Name": "full_name"}).validate(event_kinds())
