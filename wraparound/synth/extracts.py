"""One agency dataset's rows for one chunk, and the writers that stream them to disk.

Rows are first built in a canonical shape (our field names, real dates), then rendered in
the agency's own shape: its headers, codes, date formats, encoding and delimiter.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import polars as pl
from openpyxl import Workbook

from wraparound.synth.catalogues import Catalogues, DatasetShape
from wraparound.synth.events import _Subjects, dataset_events
from wraparound.synth.needs import FamilyTruth
from wraparound.synth.parameters import CountyParameters
from wraparound.synth.population import Population
from wraparound.synth.records import Counters, coverage_records, identity_as_recorded

TRUTH_RECORD_SCHEMA = {"source": pl.String, "source_id": pl.String, "person_id": pl.String}
TRUTH_EVENT_SCHEMA = {
    "source": pl.String,
    "source_id": pl.String,
    "person_id": pl.String,
    "family_id": pl.String,
    "kind": pl.String,
    "event_date": pl.Date,
    "driven_by_outcome": pl.String,
}


@dataclass
class DatasetChunk:
    rows: pl.DataFrame  # canonical fields
    truth_records: pl.DataFrame
    truth_events: pl.DataFrame


def _ids(ds: DatasetShape, counters: Counters, n: int, rng: np.random.Generator) -> list[str]:
    first = counters.take(counters.records, ds.source, n)
    seq = first + rng.permutation(n) + 1
    return [f"{ds.id_prefix}{s:0{ds.id_digits}d}" for s in seq.tolist()]


def build_chunk(
    ds: DatasetShape,
    cat: Catalogues,
    params: CountyParameters,
    pop: Population,
    truth: FamilyTruth,
    subjects: _Subjects,
    counters: Counters,
    rng: np.random.Generator,
) -> DatasetChunk:
    """The records and rows one dataset holds about one chunk of families."""
    if ds.rows == "events":
        ev = dataset_events(rng, params, cat, ds, pop, truth, subjects)
        person = ev["person_row"].to_numpy()
        unique, first_index, counts = np.unique(person, return_index=True, return_counts=True)
        can_dup = ds.id_use != "upn"
        dup = can_dup & (counts >= 2) & (rng.random(len(unique)) < ds.dup_rate)
        record_person = np.concatenate([unique, unique[dup]])
        rec_of_event = np.searchsorted(unique, person)
        # split a duplicated person's events between the two registrations
        order = np.argsort(person, kind="stable")
        rank = np.empty(len(person), dtype=np.int64)
        rank[order] = np.arange(len(person)) - np.repeat(np.cumsum(counts) - counts, counts)
        dup_slot = np.full(len(unique), -1)
        dup_slot[dup] = len(unique) + np.arange(int(dup.sum()))
        to_second = (dup_slot[rec_of_event] >= 0) & (
            (rank == 1) | ((rank > 1) & (rng.random(len(person)) < 0.5))
        )
        rec_of_event = np.where(to_second, dup_slot[rec_of_event], rec_of_event)
        recorded = np.full(len(record_person), -999_999)
        np.maximum.at(recorded, rec_of_event, ev["day"].to_numpy())
        event_days: dict[str, np.ndarray] = {}
        del first_index
    else:
        rows, recorded, event_days = coverage_records(ds, params, pop, truth, rng)
        can_dup = ds.id_use != "upn"
        dup = can_dup & (rng.random(len(rows)) < ds.dup_rate)
        record_person = np.concatenate([rows, rows[dup]])
        recorded = np.concatenate([recorded, recorded[dup]])
        event_days = {k: np.concatenate([v, v[dup]]) for k, v in event_days.items()}
        ev = None
        rec_of_event = None

    identity = identity_as_recorded(ds, cat, params, pop, record_person, recorded, rng)
    persons = pop.persons
    if ds.id_use == "upn":
        source_ids = [persons["upn"][int(i)] for i in record_person.tolist()]
    else:
        source_ids = _ids(ds, counters, len(record_person), rng)
    identity = identity.with_columns(pl.Series("source_id", source_ids, dtype=pl.String))
    identity = identity.with_columns(_household_refs(ds, counters, pop, record_person, rng))
    identity = identity.with_columns(
        pl.from_epoch(pl.col("dob_day").clip(-50_000), time_unit="d").alias("dob"),
        pl.from_epoch(pl.col("recorded_day"), time_unit="d").alias("recorded_at"),
    ).with_columns(
        pl.when(pl.col("dob_day") < -50_000).then(None).otherwise(pl.col("dob")).alias("dob")
    )

    person_ids = persons["person_id"].gather(record_person)
    truth_records = pl.DataFrame(
        {
            "source": [ds.source] * len(record_person),
            "source_id": source_ids,
            "person_id": person_ids,
        },
        schema=TRUTH_RECORD_SCHEMA,
    )
    if ev is not None and rec_of_event is not None:
        rows_frame = _event_rows(ds, counters, ev, identity, rec_of_event, rng)
        truth_events = pl.DataFrame(
            {
                "source": [ds.source] * ev.height,
                "source_id": [source_ids[i] for i in rec_of_event.tolist()],
                "person_id": persons["person_id"].gather(ev["person_row"]),
                "family_id": persons["family_id"].gather(ev["person_row"]),
                "kind": ev["kind"],
                "event_date": pl.from_epoch(ev["day"], time_unit="d"),
                "driven_by_outcome": ev["outcome"],
            },
            schema=TRUTH_EVENT_SCHEMA,
        )
    else:
        rows_frame = identity
        event_frames = []
        for kind, days in event_days.items():
            rows_frame = rows_frame.with_columns(
                pl.from_epoch(pl.Series(days), time_unit="d").alias(f"event:{kind}")
            )
            event_frames.append(
                pl.DataFrame(
                    {
                        "source": [ds.source] * len(days),
                        "source_id": source_ids,
                        "person_id": person_ids,
                        "family_id": persons["family_id"].gather(record_person),
                        "kind": [kind] * len(days),
                        "event_date": pl.from_epoch(pl.Series(days), time_unit="d"),
                        "driven_by_outcome": [None] * len(days),
                    },
                    schema=TRUTH_EVENT_SCHEMA,
                )
            )
        truth_events = (
            pl.concat(event_frames) if event_frames else pl.DataFrame(schema=TRUTH_EVENT_SCHEMA)
        )
        rows_frame = rows_frame.sample(fraction=1.0, shuffle=True, seed=int(rng.integers(0, 2**31)))
    return DatasetChunk(rows=rows_frame, truth_records=truth_records, truth_events=truth_events)


def _household_refs(
    ds: DatasetShape,
    counters: Counters,
    pop: Population,
    record_person: np.ndarray,
    rng: np.random.Generator,
) -> pl.Series:
    if ds.household_prefix is None:
        return pl.Series("household_ref", [None] * len(record_person), dtype=pl.String)
    fam = pop.persons["family_pos"].to_numpy()[record_person]
    families, inverse = np.unique(fam, return_inverse=True)
    first = counters.take(counters.households, ds.source, len(families))
    seq = first + rng.permutation(len(families)) + 1
    refs = [f"{ds.household_prefix}{s:0{ds.household_digits}d}" for s in seq.tolist()]
    return pl.Series("household_ref", [refs[i] for i in inverse.tolist()], dtype=pl.String)


def _event_rows(
    ds: DatasetShape,
    counters: Counters,
    ev: pl.DataFrame,
    identity: pl.DataFrame,
    rec_of_event: np.ndarray,
    rng: np.random.Generator,
) -> pl.DataFrame:
    n = ev.height
    minutes = rng.integers(7 * 60, 23 * 60, n)
    first = counters.take(counters.events, ds.source, n)
    rows = (
        identity.drop("person_row")
        .gather(rec_of_event)
        .with_columns(
            pl.Series("event_label", ev["label"]),
            pl.Series(
                "event_date",
                (ev["day"].to_numpy() * 86_400 + minutes * 60) * 1_000_000,
            ).cast(pl.Datetime("us")),
            pl.Series("event_detail", ev["detail"]),
            pl.Series("event_ref", [f"INC{first + i + 1:08d}" for i in range(n)]),
        )
    )
    rows = rows.sort("event_date")
    if ds.exact_duplicate_rows > 0 and n:
        again = np.nonzero(rng.random(n) < ds.exact_duplicate_rows)[0]
        rows = pl.concat([rows, rows.gather(again)]).sort("event_date", maintain_order=True)
    return rows


# ---- rendering in the agency's own shape -------------------------------------------------


def _full_name(first: str | None, surname: str | None) -> str | None:
    parts = [p for p in (first, surname) if p]
    return " ".join(parts) if parts else None


def render(ds: DatasetShape, rows: pl.DataFrame, *, as_text: bool) -> pl.DataFrame:
    """Rows with the agency's headers and value conventions (text for CSV, typed for XLSX)."""
    codes = ds.sex_codes
    out: dict[str, Any] = {}
    for header, fld in ds.columns:
        if fld.startswith("event:") or fld in {"dob", "recorded_at"}:
            out[header] = _dates(rows[fld], ds.date_format, as_text)
        elif fld == "event_date":
            out[header] = _dates(rows[fld], ds.event_date_format, as_text)
        elif fld == "sex":
            out[header] = rows["sex"].replace_strict(codes, default=None, return_dtype=pl.String)
        elif fld == "forenames":
            out[header] = [
                " ".join(p for p in (f, m) if p) or None
                for f, m in zip(
                    rows["first_name"].to_list(), rows["middle_names"].to_list(), strict=True
                )
            ]
        elif fld == "full_name":
            out[header] = [
                _full_name(f, s)
                for f, s in zip(
                    rows["first_name"].to_list(), rows["surname"].to_list(), strict=True
                )
            ]
        elif fld == "full_name_sf":
            out[header] = [
                f"{(s or '').upper()}, {f or ''}".strip(", ") or None
                for f, s in zip(
                    rows["first_name"].to_list(), rows["surname"].to_list(), strict=True
                )
            ]
        elif fld.startswith("constant:"):
            out[header] = [fld.split(":", 1)[1]] * rows.height
        else:
            out[header] = rows[fld]
    return pl.DataFrame(out, schema_overrides={h: pl.String for h, f in ds.columns if as_text})


def _dates(series: pl.Series, fmt: str | None, as_text: bool) -> pl.Series | list[Any]:
    if as_text:
        return series.dt.strftime(fmt or "%Y-%m-%d")
    values = series.to_list()
    return [v.date() if isinstance(v, datetime) else v for v in values]


class ExtractWriter(Protocol):
    rows_written: int

    def append(self, rows: pl.DataFrame) -> None: ...
    def close(self) -> None: ...


class CsvExtractWriter:
    """Streams rows to a CSV in the agency's encoding and delimiter."""

    def __init__(self, path: Path, ds: DatasetShape) -> None:
        self.ds = ds
        self.path = path
        self.encoding = ds.encoding or "utf-8"
        self.rows_written = 0
        self._file = path.open("wb")
        header = render(ds, pl.DataFrame(schema=_empty_schema(ds)), as_text=True)
        self._write(header, include_header=True)

    def _write(self, frame: pl.DataFrame, *, include_header: bool) -> None:
        buffer = io.StringIO()
        frame.write_csv(
            buffer,
            separator=self.ds.delimiter,
            include_header=include_header,
            line_terminator="\r\n",
        )
        text = buffer.getvalue()
        encoding = self.encoding if include_header or self.encoding != "utf-8-sig" else "utf-8"
        self._file.write(text.encode(encoding))

    def append(self, rows: pl.DataFrame) -> None:
        self._write(render(self.ds, rows, as_text=True), include_header=False)
        self.rows_written += rows.height

    def close(self) -> None:
        self._file.close()


class XlsxExtractWriter:
    """Streams rows to a one-sheet workbook (openpyxl write-only mode keeps memory flat)."""

    def __init__(self, path: Path, ds: DatasetShape, created: date) -> None:
        self.ds = ds
        self.path = path
        self.rows_written = 0
        self._book = Workbook(write_only=True)
        self._book.properties.created = datetime(created.year, created.month, created.day)
        self._book.properties.modified = self._book.properties.created
        self._sheet = self._book.create_sheet(title=ds.kind[:31])
        self._sheet.append([h for h, _ in ds.columns])

    def append(self, rows: pl.DataFrame) -> None:
        for row in render(self.ds, rows, as_text=False).iter_rows():
            self._sheet.append(list(row))
        self.rows_written += rows.height

    def close(self) -> None:
        self._book.save(self.path)
        _make_reproducible(self.path, self._book.properties.created)


def _make_reproducible(path: Path, when: datetime) -> None:
    """Fix the zip timestamps and document dates openpyxl sets to "now" (same seed, same bytes)."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), data
                )
            target.writestr(
                zipfile.ZipInfo(name, date_time=when.timetuple()[:6]), data, zipfile.ZIP_DEFLATED
            )


def _empty_schema(ds: DatasetShape) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "first_name": pl.String,
        "middle_names": pl.String,
        "surname": pl.String,
        "sex": pl.String,
        "dob": pl.Date,
        "recorded_at": pl.Date,
        "event_date": pl.Datetime("us"),
    }
    for _, fld in ds.columns:
        if fld.startswith("event:"):
            schema[fld] = pl.Date
        else:
            schema.setdefault(fld, pl.String)
    return schema


def open_writer(path: Path, ds: DatasetShape, created: date) -> ExtractWriter:
    if ds.format == "xlsx":
        return XlsxExtractWriter(path, ds, created)
    return CsvExtractWriter(path, ds)
