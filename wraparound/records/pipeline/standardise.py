"""Validate a read extract against its mapping and standardise it into records and events.

Pure polars, no Django. Every problem becomes an Issue (row, column, value, reason) a data
analyst can act on. Errors reject the whole extract (imports are all or nothing); warnings
are kept with the imported extract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import polars as pl

from wraparound.records.person_fields import PERSON_RECORD_FIELDS
from wraparound.records.pipeline.mapping import Mapping, normalise
from wraparound.records.pipeline.reading import FrameRows, RawTable

FORMULA = r"^\s*[=@]|^\s*[+\-]\s*[A-Za-z(]|^[\t\r]"
MAX_ISSUES_PER_KIND = 200
RECORD_COLUMNS = ("row_number", "source_id", *PERSON_RECORD_FIELDS)


@dataclass(frozen=True)
class Issue:
    row: int | None
    column: str | None
    value: str | None
    reason: str
    severity: str  # "error" | "warning"

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
            "severity": self.severity,
        }


@dataclass
class Standardised:
    """The outcome of validation: records and events, or errors saying why not."""

    records: pl.DataFrame
    events: pl.DataFrame
    issues: list[Issue] = field(default_factory=list)
    rows_read: int = 0

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


# What Python's str.strip() removes (Unicode white space and the four separators \x1c-\x1f).
WHITESPACE = "".join(chr(c) for c in range(0x3000 + 1) if chr(c).isspace())


def _text_columns(table: RawTable, cells: pl.DataFrame) -> pl.DataFrame:
    """A CSV's text columns trimmed as ``_text`` trims a cell, column-wise."""
    columns: dict[str, pl.Expr] = {"__row": pl.lit(pl.Series(table.row_numbers, dtype=pl.Int64))}
    for i, header in enumerate(table.headers):
        trimmed = pl.col(str(i)).str.strip_chars(WHITESPACE)
        columns[header] = pl.when(trimmed.str.len_chars() > 0).then(trimmed)
    return cells.select(**columns)


def _frame(table: RawTable) -> tuple[pl.DataFrame, dict[str, list[date | None]]]:
    """All cells as trimmed text, plus native date cells (from spreadsheets) per column."""
    if isinstance(table.rows, FrameRows):
        return _text_columns(table, table.rows.frame), {}
    data: dict[str, Any] = {"__row": table.row_numbers}
    native: dict[str, list[date | None]] = {}
    for i, header in enumerate(table.headers):
        column = [row[i] for row in table.rows]
        if any(isinstance(v, date | datetime) for v in column):
            native[header] = [
                v.date() if isinstance(v, datetime) else v if isinstance(v, date) else None
                for v in column
            ]
            column = [v.isoformat(sep=" ") if isinstance(v, datetime) else v for v in column]
        data[header] = [_text(v) for v in column]
    schema = {"__row": pl.Int64, **dict.fromkeys(table.headers, pl.String)}
    return pl.DataFrame(data, schema=schema), native


def _exact_copies(df: pl.DataFrame, headers: list[str]) -> pl.Series:
    """True for each row that repeats an earlier row exactly.

    Rows are hashed first and compared in full only when their hash repeats, so a million
    distinct rows never become a million structs held at once."""
    rows = pl.struct(headers)
    maybe = df.select(rows.hash(0).is_duplicated().alias("m"))["m"]
    if not maybe.any():
        return pl.repeat(value=False, n=df.height, eager=True).alias("d")
    index = pl.int_range(pl.len(), dtype=pl.UInt32).alias("__i")
    copies = (
        df.with_columns(index)
        .filter(maybe)
        .select("__i", rows.is_first_distinct().not_().alias("d"))
        .filter("d")
    )
    return df.select(index.is_in(copies["__i"].implode()).alias("d"))["d"]


class _Report:
    def __init__(self) -> None:
        self.issues: list[Issue] = []
        self._counts: dict[tuple[str, str], int] = {}

    def add(
        self,
        severity: str,
        reason: str,
        rows: list[int],
        column: str | None,
        values: list[str | None],
    ) -> None:
        key = (severity, reason if column is None else f"{column}:{reason}")
        for row, value in zip(rows, values, strict=True):
            count = self._counts.get(key, 0)
            self._counts[key] = count + 1
            if count < MAX_ISSUES_PER_KIND:
                self.issues.append(Issue(row, column, value, reason, severity))
            elif count == MAX_ISSUES_PER_KIND:
                self.issues.append(
                    Issue(None, column, None, f"... and more rows with: {reason}", severity)
                )


def _check_headers(table: RawTable, mapping: Mapping, report: _Report) -> None:
    unknown = [h for h in table.headers if h not in mapping.columns]
    missing = [h for h in mapping.columns if h not in table.headers]
    for header in unknown:
        report.add(
            "error",
            "column not in the mapping for this dataset: the extract's shape has changed; "
            "confirm a new mapping before importing",
            [1], header, [header],
        )  # fmt: skip
    for header in missing:
        report.add(
            "error",
            "column the mapping expects is missing from the file",
            [1], header, [None],
        )  # fmt: skip


def _flag(
    report: _Report,
    df: pl.DataFrame,
    mask: pl.Series,
    severity: str,
    reason: str,
    column: str | None,
    values: pl.Series | None = None,
) -> None:
    if not mask.any():
        return
    rows = df["__row"].filter(mask).to_list()
    vals = values.filter(mask).to_list() if values is not None else [None] * len(rows)
    report.add(severity, reason, rows, column, [None if v is None else str(v) for v in vals])


def _dates(
    df: pl.DataFrame,
    header: str,
    fmt: str | None,
    native: dict[str, list[date | None]],
    report: _Report,
    *,
    severity: str = "error",
) -> pl.Series:
    text = df[header]
    formats = [fmt] if fmt else ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S"]
    parsed = pl.Series(header, [None] * df.height, dtype=pl.Date)
    for f in formats:
        attempt = text.str.strptime(pl.Datetime("us"), f, strict=False).dt.date()
        parsed = parsed.fill_null(attempt)
    if header in native:
        parsed = pl.Series(header, native[header], dtype=pl.Date).fill_null(parsed)
    bad = text.is_not_null() & parsed.is_null()
    shown = fmt or "YYYY-MM-DD"
    example = datetime(2024, 12, 31, 14, 30).strftime(fmt) if fmt else "2024-12-31"
    _flag(
        report,
        df,
        bad,
        severity,
        f"not a date in the expected form {shown} (e.g. {example})",
        header,
        text,
    )
    return parsed


def _names(df: pl.DataFrame, cols: dict[str, str]) -> tuple[pl.Series, pl.Series, pl.Series]:
    n = df.height
    none = pl.Series([None] * n, dtype=pl.String)
    first = df[cols["first_name"]] if "first_name" in cols else none
    middle = df[cols["middle_names"]] if "middle_names" in cols else none
    surname = df[cols["surname"]] if "surname" in cols else none
    if "forenames" in cols:
        parts = df[cols["forenames"]].str.split_exact(" ", 1)
        first = first.fill_null(parts.struct.field("field_0"))
        middle = middle.fill_null(parts.struct.field("field_1"))
    if "full_name_surname_first" in cols:
        full = df[cols["full_name_surname_first"]]
        sur = full.str.extract(r"^([^,]+),")
        rest = full.str.extract(r",\s*(.+)$")
        surname = surname.fill_null(sur.str.strip_chars())
        first = first.fill_null(rest.str.extract(r"^(\S+)"))
        middle = middle.fill_null(rest.str.extract(r"^\S+\s+(.+)$"))
    if "full_name" in cols:
        full = df[cols["full_name"]]
        surname = surname.fill_null(full.str.extract(r"(\S+)$"))
        first = first.fill_null(full.str.extract(r"^(\S+)\s+\S"))
        middle = middle.fill_null(full.str.extract(r"^\S+\s+(.+)\s+\S+$"))
    return first.alias("first_name"), middle.alias("middle_names"), surname.alias("surname")


def standardise(table: RawTable, mapping: Mapping, *, source: str, received: date) -> Standardised:
    """Check every row and produce standard records and events (or the errors)."""
    report = _Report()
    empty = Standardised(pl.DataFrame(), pl.DataFrame(), rows_read=len(table.rows))
    _check_headers(table, mapping, report)
    if report.issues:
        empty.issues = report.issues
        return empty
    df, native = _frame(table)
    headers = table.headers

    for header in headers:
        _flag(
            report, df, df[header].str.contains(FORMULA).fill_null(False), "error",
            "looks like a spreadsheet formula (formula injection risk); remove it at source",
            header, df[header],
        )  # fmt: skip
    dup = _exact_copies(df, headers)
    _flag(report, df, dup, "warning", "an exact copy of an earlier row: imported once", None)
    df = df.filter(~dup)
    native = {
        h: [v for v, d in zip(vals, dup.to_list(), strict=True) if not d]
        for h, vals in native.items()
    }

    cols = mapping.field_columns()
    sid = df[cols["source_id"]]
    _flag(
        report,
        df,
        sid.is_null(),
        "error",
        "the agency's record id is blank",
        cols["source_id"],
        sid,
    )
    first, middle, surname = _names(df, cols)
    n = df.height
    none_text = pl.Series([None] * n, dtype=pl.String)

    def text(fld: str) -> pl.Series:
        return (df[cols[fld]] if fld in cols else none_text).alias(fld)

    dob = (
        _dates(df, cols["dob"], mapping.format_for(cols["dob"]), native, report)
        if "dob" in cols
        else pl.Series([None] * n, dtype=pl.Date)
    )
    future = dob.is_not_null() & (dob > received)
    _flag(
        report,
        df,
        future,
        "warning",
        "date of birth is after the extract was received",
        cols.get("dob"),
        dob,
    )
    recorded = (
        _dates(df, cols["recorded_at"], mapping.format_for(cols["recorded_at"]), native, report)
        if "recorded_at" in cols
        else pl.Series([None] * n, dtype=pl.Date)
    )
    sex = _sex(df, cols, mapping, report)
    nhs = text("nhs_number").str.replace_all(r"[\s\-]", "")
    _flag(
        report, df, nhs.is_not_null() & ~nhs.str.contains(r"^\d{10}$").fill_null(False), "warning",
        "NHS number is not ten digits", cols.get("nhs_number"), nhs,
    )  # fmt: skip
    postcode = _postcodes(df, cols, text("postcode"), report)
    people = pl.DataFrame(
        [
            df["__row"].alias("row_number"),
            sid.alias("source_id"),
            text("household_ref"),
            first, middle, surname, dob.alias("dob"), sex,
            postcode, text("address_line"), nhs.alias("nhs_number"),
            text("upn").str.to_uppercase(), recorded.alias("recorded_at"),
        ]
    )  # fmt: skip
    events = _events(df, cols, mapping, native, report, source=source, people=people)
    if any(i.severity == "error" for i in report.issues):
        empty.issues = report.issues
        return empty
    records = _records(people, events, mapping, report)
    records, events = _without_identity_left_out(records, events, mapping, report)
    return Standardised(
        records=records, events=events, issues=report.issues, rows_read=len(table.rows)
    )


# A UK postcode (BS 7666): outward code, then inward code of a digit and two letters.
POSTCODE = r"^(GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})$"
# What linkage can place a person by; a record with none of them cannot be matched to anyone.
IDENTIFYING = ("first_name", "surname", "dob", "postcode", "address_line", "nhs_number", "upn")


def _postcodes(
    df: pl.DataFrame, cols: dict[str, str], postcode: pl.Series, report: _Report
) -> pl.Series:
    """Postcodes as written, or blank where the value is not a UK postcode (flagged)."""
    upper = postcode.str.to_uppercase().str.strip_chars()
    bad = upper.is_not_null() & ~upper.str.contains(POSTCODE).fill_null(False)
    _flag(
        report, df, bad, "warning",
        "not a UK postcode (like AB1 2CD): left blank, so it is not used for matching",
        cols.get("postcode"), postcode,
    )  # fmt: skip
    return postcode.zip_with(~bad, pl.Series([None] * len(postcode), dtype=pl.String)).alias(
        "postcode"
    )


def _without_identity_left_out(
    records: pl.DataFrame, events: pl.DataFrame, mapping: Mapping, report: _Report
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Leave out records with nothing to identify the person by, and their events (flagged)."""
    present = [c for c in IDENTIFYING if c in records.columns]
    nameless = records.select(pl.all_horizontal(pl.col(present).is_null()).alias("x"))["x"]
    if not nameless.any():
        return records, events
    left_out = records.filter(nameless)
    report.add(
        "warning",
        "no name, date of birth, postcode, address, NHS number or pupil number: nothing to "
        "identify the person by, so this record and its events were not imported",
        left_out["row_number"].to_list(),
        mapping.field_columns().get("source_id"),
        left_out["source_id"].to_list(),
    )
    ids = left_out["source_id"]
    kept_events = (
        events.filter(~pl.col("source_id").is_in(ids.implode())) if events.height else events
    )
    return records.filter(~nameless), kept_events


def _sex(df: pl.DataFrame, cols: dict[str, str], mapping: Mapping, report: _Report) -> pl.Series:
    if "sex" not in cols:
        return pl.Series("sex", [None] * df.height, dtype=pl.String)
    raw = df[cols["sex"]]
    lookup = {normalise(k): v for k, v in mapping.sex_values.items()}
    lookup.update({"f": "F", "m": "M", "u": "U"} | lookup)
    mapped = raw.map_elements(
        lambda v: lookup.get(normalise(v)), return_dtype=pl.String, skip_nulls=True
    )
    unknown = raw.is_not_null() & mapped.is_null()
    _flag(
        report, df, unknown, "warning", "sex code not in the mapping: left blank", cols["sex"], raw
    )
    return mapped.alias("sex")


def _events(
    df: pl.DataFrame,
    cols: dict[str, str],
    mapping: Mapping,
    native: dict[str, list[date | None]],
    report: _Report,
    *,
    source: str,
    people: pl.DataFrame,
) -> pl.DataFrame:
    frames: list[pl.DataFrame] = []
    base = people.select("row_number", "source_id")
    if mapping.rows == "events":
        label = df[cols["event_kind"]]
        when = _dates(
            df,
            cols["event_date"],
            mapping.format_for(cols["event_date"], event=True),
            native,
            report,
        )
        _flag(
            report,
            df,
            when.is_null() & df[cols["event_date"]].is_null(),
            "error",
            "an event row needs a date",
            cols["event_date"],
        )
        _flag(
            report,
            df,
            label.is_null(),
            "error",
            "an event row needs an event type",
            cols["event_kind"],
        )
        lookup = dict(mapping.event_values)
        lookup_norm = {normalise(k): v for k, v in lookup.items()}
        kind = label.map_elements(
            lambda v: lookup.get(v) or lookup_norm.get(normalise(v)),
            return_dtype=pl.String,
            skip_nulls=True,
        )
        unmapped = label.is_not_null() & kind.is_null()
        if unmapped.any():
            seen = sorted(set(label.filter(unmapped).to_list()))
            report.add(
                "warning",
                "event wording not in the mapping: recorded as 'other'; add it to the mapping",
                [None] * len(seen), cols["event_kind"], seen,  # type: ignore[list-item]
            )  # fmt: skip
        detail = (
            df[cols["event_detail"]]
            if "event_detail" in cols
            else pl.Series([None] * df.height, dtype=pl.String)
        )
        frames.append(
            base.with_columns(
                kind.fill_null("other").alias("kind"),
                label.fill_null("").alias("agency_label"),
                when.alias("event_date"),
                detail.alias("detail"),
            )
        )
    for header, kind_key in mapping.event_columns().items():
        when = _dates(df, header, mapping.format_for(header, event=True), native, report)
        frames.append(
            base.with_columns(
                pl.lit(kind_key).alias("kind"),
                pl.lit(header).alias("agency_label"),
                when.alias("event_date"),
                pl.lit(None, dtype=pl.String).alias("detail"),
            ).filter(pl.col("event_date").is_not_null())
        )
    if not frames:
        return pl.DataFrame(
            schema={
                "row_number": pl.Int64,
                "source_id": pl.String,
                "kind": pl.String,
                "agency_label": pl.String,
                "event_date": pl.Date,
                "detail": pl.String,
                "event_key": pl.String,
            }
        )
    events = pl.concat(frames).filter(
        pl.col("event_date").is_not_null() & pl.col("source_id").is_not_null()
    )
    return events.with_columns(
        (
            pl.lit(source + ":")
            + pl.col("source_id")
            + ":" + pl.col("kind")
            + ":" + pl.col("event_date").cast(pl.String)
            + ":" + (pl.int_range(pl.len()).over("source_id", "kind", "event_date") + 1).cast(pl.String)
        ).alias("event_key")
    )  # fmt: skip


def _records(
    people: pl.DataFrame, events: pl.DataFrame, mapping: Mapping, report: _Report
) -> pl.DataFrame:
    """One record per agency id: the latest row's details, first row's number."""
    if mapping.rows == "people":
        repeated = people["source_id"].is_duplicated() & ~people["source_id"].is_first_distinct()
        if repeated.any():
            report.add(
                "warning",
                "the same record id appears on an earlier row: the later row's details are used",
                people["row_number"].filter(repeated).to_list(),
                mapping.field_columns()["source_id"],
                people["source_id"].filter(repeated).to_list(),
            )
        ordered = people
    else:
        latest = events.group_by("row_number").agg(pl.col("event_date").max().alias("__when"))
        ordered = (
            people.join(latest, on="row_number", how="left")
            .sort("__when", "row_number", nulls_last=False)
            .drop("__when")
        )
    if ordered["source_id"].is_duplicated().any():
        grouped = ordered.group_by("source_id", maintain_order=True).agg(
            pl.col("row_number").min(),
            *[
                pl.col(c).drop_nulls().last()
                for c in RECORD_COLUMNS
                if c not in {"row_number", "source_id"}
            ],
        )
    else:  # one row per record (most people-shaped extracts): nothing to combine
        grouped = ordered.select(RECORD_COLUMNS)
    if events.height:
        last_event = events.group_by("source_id").agg(pl.col("event_date").max().alias("__last"))
        grouped = (
            grouped.join(last_event, on="source_id", how="left")
            .with_columns(pl.col("recorded_at").fill_null(pl.col("__last")))
            .drop("__last")
        )
    # sorting copies every column: a people-shaped file is usually in row order already
    records = grouped if grouped["row_number"].is_sorted() else grouped.sort("row_number")
    return records.select(RECORD_COLUMNS)
