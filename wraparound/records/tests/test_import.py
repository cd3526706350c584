"""Importing agency extracts: end to end, idempotent, superseding with history, and every
kind of bad input refused with a clear reason and the database exactly as it was."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from wraparound.core.models import Agency
from wraparound.records.demo import ensure_partnership_agencies
from wraparound.records.models import (
    DatasetMapping,
    Extract,
    ExtractStatus,
    SourceEvent,
    SourceRecord,
)
from wraparound.records.selectors import (
    EVENT_SCHEMA,
    PERSON_RECORD_SCHEMA,
    events_frame,
    person_records_frame,
)
from wraparound.records.services import ImportRejectedError, import_extract

pytestmark = pytest.mark.django_db

PUPILS = "extracts/hcc-education__pupils.csv"
POLICE = "extracts/hartshire-police__incidents.csv"


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every records table, to prove a failed import changed nothing."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Extract, SourceRecord, SourceEvent, DatasetMapping)
    }


@pytest.fixture
def agencies() -> dict[str, Agency]:
    return ensure_partnership_agencies()


@pytest.fixture
def police_imported(county: Path, agencies: dict[str, Agency]) -> Extract:
    """A database that already holds one extract, so 'unchanged' is not the same as 'empty'."""
    return import_extract(
        path=county / POLICE, agency=agencies["hartshire-police"], dataset_kind="incidents"
    ).extract


def _pupils_text(county: Path) -> str:
    return (county / PUPILS).read_bytes().decode("cp1252")


def _write(tmp_path: Path, name: str, text: str, encoding: str = "cp1252") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _import_pupils(path: Path, agencies: dict[str, Agency], **kwargs: Any) -> Any:
    return import_extract(
        path=path, agency=agencies["hcc-education"], dataset_kind="pupils", **kwargs
    )


def test_every_extract_of_a_synthetic_county_imports_and_agrees_with_the_truth(
    county: Path, agencies: dict[str, Agency]
) -> None:
    call_command("import", manifest=county / "manifest.json", verbosity=0)
    manifest = json.loads((county / "manifest.json").read_text())
    assert Extract.objects.filter(status=ExtractStatus.CURRENT).count() == len(manifest["extracts"])
    records = person_records_frame()
    truth = pl.read_parquet(county / "truth" / "records.parquet")
    assert set(records["record_key"]) == set((truth["source"] + ":" + truth["source_id"]).to_list())
    events = events_frame()
    event_shaped = [e for e in manifest["extracts"] if e["row_shape"] == "events"]
    rows = sum(e["rows"] for e in event_shaped)
    duplicates = sum(Extract.objects.values_list("warning_count", flat=True))
    # A people-shaped extract may also carry a dated column (a support start) that becomes an
    # event; those are one per person, so only event-shaped extracts are counted row for row.
    sources = [f"{e['agency_slug']}:{e['dataset_kind']}" for e in event_shaped]
    assert events.filter(pl.col("source").is_in(sources)).height == rows - duplicates


def test_selectors_return_exactly_the_contract_columns(
    county: Path, agencies: dict[str, Agency], police_imported: Extract
) -> None:
    records = person_records_frame()
    events = events_frame()
    assert dict(records.schema) == PERSON_RECORD_SCHEMA
    assert dict(events.schema) == EVENT_SCHEMA
    assert records["record_key"].is_unique().all()
    assert set(events["record_key"]) <= set(records["record_key"])
    assert set(events["agency_kind"]) == {"police"}
    assert person_records_frame(sources=["hcc-education:pupils"]).height == 0


def test_reimporting_the_same_file_changes_nothing(
    county: Path, agencies: dict[str, Agency], police_imported: Extract
) -> None:
    before = snapshot()
    result = import_extract(
        path=county / POLICE, agency=agencies["hartshire-police"], dataset_kind="incidents"
    )
    assert result.status == "unchanged"
    assert result.extract == police_imported
    assert snapshot() == before


def test_a_newer_extract_supersedes_the_older_and_keeps_it_as_history(
    county: Path, agencies: dict[str, Agency], tmp_path: Path
) -> None:
    first = _import_pupils(county / PUPILS, agencies).extract
    lines = _pupils_text(county).splitlines(keepends=True)
    newer = _write(tmp_path, "pupils-newer.csv", "".join(lines[:-5]))
    second = _import_pupils(newer, agencies)
    first.refresh_from_db()
    assert second.status == "imported"
    assert (first.status, first.superseded_by) == (ExtractStatus.SUPERSEDED, second.extract)
    assert SourceRecord.objects.filter(extract=first).count() == len(lines) - 1  # history kept
    assert person_records_frame(sources=["hcc-education:pupils"]).height == len(lines) - 6


def test_windows_1252_extract_keeps_accented_names(
    county: Path, agencies: dict[str, Agency], tmp_path: Path
) -> None:
    lines = _pupils_text(county).splitlines(keepends=True)
    fields = lines[1].split(",")
    fields[2] = "Zoë"
    path = _write(tmp_path, "pupils.csv", lines[0] + ",".join(fields))
    result = _import_pupils(path, agencies)
    assert result.extract.encoding == "cp1252"
    assert SourceRecord.objects.get(extract=result.extract).first_name == "Zoë"


def test_exact_duplicate_rows_are_imported_once_with_a_warning(
    county: Path, agencies: dict[str, Agency], tmp_path: Path
) -> None:
    lines = _pupils_text(county).splitlines(keepends=True)
    path = _write(tmp_path, "pupils.csv", "".join([*lines[:4], lines[3]]))
    result = _import_pupils(path, agencies)
    assert result.extract.record_count == 3
    assert [w.row for w in result.warnings] == [5]
    assert "exact copy" in result.warnings[0].reason


def _assert_rejected(before: dict[str, Any], call: Any, match: str) -> ImportRejectedError:
    with pytest.raises(ImportRejectedError) as caught:
        call()
    text = caught.value.message + " ".join(i.reason for i in caught.value.issues)
    assert match in text, text
    assert snapshot() == before
    return caught.value


def test_truncated_csv_is_refused_and_nothing_changes(
    county: Path, agencies: dict[str, Agency], police_imported: Extract, tmp_path: Path
) -> None:
    text = _pupils_text(county)
    path = _write(tmp_path, "pupils.csv", text[: len(text) - 20])
    _assert_rejected(snapshot(), lambda: _import_pupils(path, agencies), "truncated")


def test_truncated_spreadsheet_is_refused_and_nothing_changes(
    county: Path, agencies: dict[str, Agency], police_imported: Extract, tmp_path: Path
) -> None:
    whole = (county / "extracts" / "hartshire-womens-aid__referrals.xlsx").read_bytes()
    path = tmp_path / "wa.xlsx"
    path.write_bytes(whole[:-300])

    def call() -> Any:
        return import_extract(
            path=path, agency=agencies["hartshire-womens-aid"], dataset_kind="referrals"
        )

    _assert_rejected(snapshot(), call, "truncated")


def test_wrong_declared_encoding_is_refused_and_nothing_changes(
    county: Path, agencies: dict[str, Agency], police_imported: Extract, tmp_path: Path
) -> None:
    # The pupils extract is Windows-1252; make sure it holds a non-ASCII letter (é, byte 0xE9)
    # whatever names this seed drew, so reading it as UTF-8 must fail.
    raw = (county / PUPILS).read_bytes()
    first_data_line = raw.index(b"\n") + 1
    letter = raw.index(b"a", first_data_line)
    path = tmp_path / "pupils-cp1252.csv"
    path.write_bytes(raw[:letter] + "é".encode("cp1252") + raw[letter + 1 :])
    _assert_rejected(
        snapshot(),
        lambda: _import_pupils(path, agencies, encoding="utf-8"),
        "not valid utf-8",
    )


def test_unknown_columns_are_refused_until_a_new_mapping_is_confirmed(
    county: Path, agencies: dict[str, Agency], police_imported: Extract, tmp_path: Path
) -> None:
    lines = _pupils_text(county).splitlines()
    text = (
        "\r\n".join([lines[0] + ",Free School Meals", *(line + ",Y" for line in lines[1:])])
        + "\r\n"
    )
    path = _write(tmp_path, "pupils.csv", text)
    rejected = _assert_rejected(
        snapshot(), lambda: _import_pupils(path, agencies), "column not in the mapping"
    )
    assert rejected.issues[0].column == "Free School Meals"


def test_invalid_dates_are_refused_with_row_column_and_value(
    county: Path, agencies: dict[str, Agency], police_imported: Extract, tmp_path: Path
) -> None:
    lines = _pupils_text(county).splitlines(keepends=True)
    fields = lines[2].split(",")
    fields[4] = "31/02/2015"
    path = _write(
        tmp_path, "pupils.csv", "".join([lines[0], lines[1], ",".join(fields), *lines[3:]])
    )
    rejected = _assert_rejected(snapshot(), lambda: _import_pupils(path, agencies), "not a date")
    issue = rejected.issues[0]
    assert (issue.row, issue.column, issue.value) == (3, "Date of Birth", "31/02/2015")


def test_a_file_over_the_size_limit_is_refused_and_nothing_changes(
    county: Path, agencies: dict[str, Agency], police_imported: Extract, settings: Any
) -> None:
    settings.RECORDS_IMPORT_MAX_BYTES = 2048  # a small limit stands in for a 1 GB file
    _assert_rejected(
        snapshot(),
        lambda: _import_pupils(county / PUPILS, agencies),
        "larger than the import limit",
    )


def test_formula_injection_is_refused_and_nothing_changes(
    county: Path, agencies: dict[str, Agency], police_imported: Extract, tmp_path: Path
) -> None:
    lines = _pupils_text(county).splitlines(keepends=True)
    fields = lines[1].split(",")
    fields[6] = "=cmd|' /C calc'!A0"
    path = _write(tmp_path, "pupils.csv", "".join([lines[0], ",".join(fields), *lines[2:]]))
    rejected = _assert_rejected(
        snapshot(), lambda: _import_pupils(path, agencies), "formula injection"
    )
    assert (rejected.issues[0].row, rejected.issues[0].column) == (2, "Address")


def test_empty_files_are_refused_but_a_header_only_extract_imports_no_rows(
    county: Path, agencies: dict[str, Agency], police_imported: Extract, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    _assert_rejected(snapshot(), lambda: _import_pupils(empty, agencies), "empty")
    header_only = _write(tmp_path, "header.csv", _pupils_text(county).splitlines(keepends=True)[0])
    result = _import_pupils(header_only, agencies)
    assert result.extract.record_count == 0


def test_command_reports_a_rejected_file_row_by_row_and_exits_with_an_error(
    county: Path, agencies: dict[str, Agency], tmp_path: Path
) -> None:
    lines = _pupils_text(county).splitlines(keepends=True)
    fields = lines[1].split(",")
    fields[4] = "not-a-date"
    path = _write(tmp_path, "pupils.csv", "".join([lines[0], ",".join(fields), *lines[2:]]))
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="not imported"):
        call_command(
            "import",
            str(path),
            agency="hcc-education",
            dataset="pupils",
            stderr=stderr,
            verbosity=0,
        )
    assert "row 2, column 'Date of Birth', value 'not-a-date'" in stderr.getvalue()
    assert Extract.objects.count() == 0


def test_command_imports_with_an_explicit_mapping_file(
    county: Path, agencies: dict[str, Agency], tmp_path: Path
) -> None:
    mapping = Path(__file__).resolve().parent.parent / "mappings" / "hcc-education__pupils.yaml"
    copy = tmp_path / "m.yaml"
    shutil.copy(mapping, copy)
    out = io.StringIO()
    call_command(
        "import",
        str(county / PUPILS),
        agency="hcc-education",
        dataset="pupils",
        mapping=copy,
        stdout=out,
        verbosity=0,
    )
    assert "imported" in out.getvalue()
    assert Extract.objects.get().record_count > 0


def test_command_suggests_a_mapping_that_an_analyst_can_edit_and_use(
    county: Path, agencies: dict[str, Agency], tmp_path: Path
) -> None:
    out = io.StringIO()
    path = county / "extracts" / "hartshire-yjs__youth-justice.csv"
    call_command(
        "import",
        str(path),
        agency="hartshire-yjs",
        dataset="cases",
        suggest_mapping=True,
        stdout=out,
    )
    assert Extract.objects.count() == 0  # suggesting imports nothing
    mapping = tmp_path / "cases.yaml"
    mapping.write_text(out.getvalue())
    call_command(
        "import",
        str(path),
        agency="hartshire-yjs",
        dataset="cases",
        mapping=mapping,
        verbosity=0,
        stdout=io.StringIO(),
    )
    assert Extract.objects.get().dataset_kind == "cases"
