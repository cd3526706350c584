"""Importing an agency extract: one business action, all or nothing, idempotent.

`import_extract` reads and validates the whole file before touching the database, then
writes the Extract, its SourceRecords and SourceEvents in one transaction, and marks the
previous extract of the same dataset superseded (kept as history). The same file imported
twice changes nothing. A rejected file leaves the database exactly as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Field
from django.utils import timezone

from wraparound.core.models import Agency, User
from wraparound.records.models import (
    DatasetMapping,
    Extract,
    ExtractStatus,
    SourceEvent,
    SourceRecord,
)
from wraparound.records.pipeline.mapping import (
    Mapping,
    MappingError,
    event_kinds,
    shipped_mapping,
    suggest_mapping,
)
from wraparound.records.pipeline.reading import ExtractUnreadableError, RawTable, read_extract
from wraparound.records.pipeline.standardise import Issue, standardise

BATCH_SIZE = 5_000
MAX_STORED_WARNINGS = 500
Progress = Callable[[int], None]


class ImportRejectedError(Exception):
    """The extract was not imported; `issues` say why, row by row where possible."""

    def __init__(self, message: str, issues: list[Issue] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.issues = issues or []


@dataclass
class ImportResult:
    status: str  # "imported" | "unchanged"
    extract: Extract
    warnings: list[Issue] = field(default_factory=list)
    superseded: Extract | None = None

    def summary(self) -> str:
        e = self.extract
        if self.status == "unchanged":
            return f"{e.source}: this file was already imported on {e.received_at:%Y-%m-%d %H:%M}; nothing changed."
        line = (
            f"{e.source}: imported {e.row_count} rows as {e.record_count} person records and "
            f"{e.event_count} events ({len(self.warnings)} warnings)"
        )
        if self.superseded is not None:
            line += (
                f"; supersedes the extract received {self.superseded.received_at:%Y-%m-%d %H:%M}"
            )
        return line + "."


def import_limit_bytes() -> int:
    """The largest file accepted (settings.IMPORT_MAX_BYTES, from WRAPAROUND_IMPORT_MAX_MB)."""
    configured = getattr(settings, "RECORDS_IMPORT_MAX_BYTES", None)  # tests shrink it
    return int(configured if configured is not None else settings.IMPORT_MAX_BYTES)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def mapping_for(agency: Agency, dataset_kind: str) -> Mapping | None:
    """The confirmed mapping for a dataset: the analyst's (database) first, then the shipped file."""
    saved = DatasetMapping.objects.filter(agency=agency, dataset_kind=dataset_kind).first()
    if saved is not None:
        return Mapping.from_dict(saved.mapping)
    return shipped_mapping(agency.slug, dataset_kind)


def read_for_import(path: Path, *, encoding: str | None = None) -> RawTable:
    """Read a file under the size limit, or raise ImportRejectedError with the reason."""
    try:
        return read_extract(
            path,
            max_bytes=import_limit_bytes(),
            encoding=encoding,
            max_columns=settings.IMPORT_MAX_COLUMNS,
        )
    except ExtractUnreadableError as exc:
        raise ImportRejectedError(str(exc)) from exc


def suggest_for(table: RawTable, *, agency: Agency, dataset_kind: str) -> Mapping:
    """The mapping to offer an analyst: the confirmed one if it fits the headers, else a suggestion."""
    existing = mapping_for(agency, dataset_kind)
    if existing is not None and set(existing.columns) == set(table.headers):
        return existing
    return suggest_mapping(
        table, agency=agency.slug, dataset=dataset_kind, event_kinds=event_kinds()
    )


@transaction.atomic
def confirm_mapping(
    *, agency: Agency, dataset_kind: str, mapping: Mapping, user: User | None
) -> DatasetMapping:
    """Save the mapping a data analyst confirmed, so later extracts of the dataset use it."""
    mapping.validate(event_kinds())
    saved, _ = DatasetMapping.objects.update_or_create(
        agency=agency,
        dataset_kind=dataset_kind,
        defaults={"mapping": mapping.as_dict(), "confirmed_by": user},
    )
    return saved


def import_extract(
    *,
    path: Path,
    agency: Agency,
    dataset_kind: str,
    file_name: str | None = None,
    mapping: Mapping | None = None,
    user: User | None = None,
    encoding: str | None = None,
    received_at: datetime | None = None,
    progress: Progress | None = None,
    on_total: Progress | None = None,
) -> ImportResult:
    """Import one extract file of one agency dataset; raise ImportRejectedError if it is not valid.

    progress is called with the number of rows written after each batch; on_total, once
    validation has passed, with the number of rows (records + events) that will be written.

    ``user`` (a person in the web UI) must be allowed to upload this agency's extracts: its
    own analyst, or one of an agency it has delegated uploading to (``sharing.services``);
    the refusal is audited. ``user=None`` is the operator's command line or the demo loader.
    The import is audited in its transaction.
    """
    source = f"{agency.slug}:{dataset_kind}"
    if user is not None:
        _check_may_upload(user, agency, source)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportRejectedError(f"Cannot open {path}: {exc.strerror}.") from exc
    if size > import_limit_bytes():
        read_for_import(path)  # raises with the size message before hashing a huge file
    sha = file_sha256(path)
    already = Extract.objects.filter(agency=agency, dataset_kind=dataset_kind, sha256=sha).first()
    if already is not None:
        return ImportResult(status="unchanged", extract=already)

    table = read_for_import(path, encoding=encoding)
    mapping = mapping or mapping_for(agency, dataset_kind)
    if mapping is None:
        raise ImportRejectedError(
            f"There is no confirmed column mapping for {source}. Upload the file in the web "
            "UI to confirm a suggested mapping, or pass --mapping FILE."
        )
    try:
        mapping.validate(event_kinds())
    except MappingError as exc:
        raise ImportRejectedError(str(exc)) from exc
    received = received_at or timezone.now()
    result = standardise(table, mapping, source=source, received=received.date())
    if result.errors:
        raise ImportRejectedError(
            f"{source}: the extract was not imported: {len(result.errors)} problem(s) found. "
            "Nothing was changed.",
            result.issues,
        )
    if on_total is not None:
        on_total(result.records.height + result.events.height)
    try:
        return _write(
            agency=agency,
            dataset_kind=dataset_kind,
            file_name=file_name or path.name,
            sha=sha,
            size=size,
            table=table,
            mapping=mapping,
            records=result.records,
            events=result.events,
            warnings=result.warnings,
            user=user,
            received=received,
            progress=progress,
        )
    except IntegrityError as exc:  # the same dataset was being imported at the same moment
        same = Extract.objects.filter(agency=agency, dataset_kind=dataset_kind, sha256=sha).first()
        if same is not None:
            return ImportResult(status="unchanged", extract=same)
        raise ImportRejectedError(
            f"{source}: another extract of this dataset was imported at the same moment; "
            "nothing was changed. Try again."
        ) from exc


class UploadRefusedError(ImportRejectedError):
    """The user may not upload this agency's extracts (audited)."""


def _check_may_upload(user: User, agency: Agency, source: str) -> None:
    from wraparound.sharing.audit import record_access
    from wraparound.sharing.services import upload_refusal

    refusal = upload_refusal(user, agency)
    if refusal:
        record_access(
            user=user,
            action="amend",
            outcome="deny",
            reason=f"Refused upload of {source}: {refusal}",
        )
        raise UploadRefusedError(refusal)


def _audit_import(user: User | None, extract: Extract, previous: Extract | None) -> None:
    """An import writes personal data on an agency's behalf: record who, what and what it replaced."""
    from wraparound.sharing.audit import record_access

    record_access(
        user=user,
        action="amend",
        outcome="permit",
        reason=(
            f"Imported {extract.source} ({extract.file_name}, sha256 {extract.sha256[:12]}): "
            f"{extract.record_count} person records, {extract.event_count} events"
            + (f"; supersedes extract {previous.pk}" if previous is not None else "")
        ),
    )


@transaction.atomic
def _write(
    *,
    agency: Agency,
    dataset_kind: str,
    file_name: str,
    sha: str,
    size: int,
    table: RawTable,
    mapping: Mapping,
    records: pl.DataFrame,
    events: pl.DataFrame,
    warnings: list[Issue],
    user: User | None,
    received: datetime,
    progress: Progress | None,
) -> ImportResult:
    previous = (
        Extract.objects.select_for_update()
        .filter(agency=agency, dataset_kind=dataset_kind, status=ExtractStatus.CURRENT)
        .first()
    )
    if previous is not None:
        previous.status = ExtractStatus.SUPERSEDED
        previous.save(update_fields=["status"])
    extract = Extract.objects.create(
        agency=agency,
        dataset_kind=dataset_kind,
        file_name=file_name[:255],
        sha256=sha,
        size_bytes=size,
        file_format=table.file_format,
        encoding=table.encoding or "",
        received_at=received,
        imported_by=user,
        row_count=len(table.rows),
        record_count=records.height,
        event_count=events.height,
        warning_count=len(warnings),
        mapping=mapping.as_dict(),
        warnings=[w.as_dict() for w in warnings[:MAX_STORED_WARNINGS]],
    )
    if previous is not None:
        previous.superseded_by = extract
        previous.save(update_fields=["superseded_by"])
    source = f"{agency.slug}:{dataset_kind}"
    record_ids = _write_records(extract, source, records, progress)
    _write_events(extract, events, record_ids, progress)
    _audit_import(user, extract, previous)
    return ImportResult(status="imported", extract=extract, warnings=warnings, superseded=previous)


ROWS_PER_STATEMENT = 500  # 500 rows x 15 columns stays under SQLite's parameter limit


def _insert(
    model: type[SourceRecord] | type[SourceEvent], columns: list[str], rows: list[tuple[Any, ...]]
) -> None:
    """Insert plain tuples (COPY or multi-row INSERTs): no model objects for a million rows."""
    meta = model._meta
    fields = [meta.get_field(c) for c in columns]
    assert all(isinstance(f, Field) for f in fields)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)  # type: ignore[union-attr,arg-type]
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY: several times faster than INSERT
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[start : start + ROWS_PER_STATEMENT]
            values = ", ".join([one] * len(chunk))
            params = [value for row in chunk for value in row]
            cursor.execute(f"INSERT INTO {table} ({names}) VALUES {values}", params)  # noqa: S608 - names from model metadata


def _write_records(
    extract: Extract, source: str, records: pl.DataFrame, progress: Progress | None
) -> dict[str, int]:
    fields = [c for c in records.columns if c not in {"row_number", "source_id"}]
    columns = ["extract", "row_number", "source_id", "record_key", *fields]
    for batch in records.iter_slices(BATCH_SIZE):
        keys = (source + ":" + batch["source_id"]).to_list()
        rows = [
            (extract.pk, *row[:2], key, *row[2:])
            for row, key in zip(
                batch.select("row_number", "source_id", *fields).iter_rows(), keys, strict=True
            )
        ]
        _insert(SourceRecord, columns, rows)
        if progress:
            progress(batch.height)
    return dict(SourceRecord.objects.filter(extract=extract).values_list("source_id", "id"))


def _write_events(
    extract: Extract, events: pl.DataFrame, record_ids: dict[str, int], progress: Progress | None
) -> None:
    columns = [
        "extract",
        "record",
        "row_number",
        "event_key",
        "kind",
        "agency_label",
        "event_date",
        "detail",
    ]
    frame = events.select(
        "source_id",
        "row_number",
        pl.col("event_key").str.slice(0, 300),
        "kind",
        pl.col("agency_label").fill_null("").str.slice(0, 200),
        "event_date",
        pl.col("detail").str.slice(0, 500),
    )
    for batch in frame.iter_slices(BATCH_SIZE):
        rows = [(extract.pk, record_ids.get(row[0]), *row[1:]) for row in batch.iter_rows()]
        _insert(SourceEvent, columns, rows)
        if progress:
            progress(batch.height)


def issue_lines(issues: list[Issue], limit: int = 50) -> list[str]:
    """Human-readable report lines: row, column, value, reason."""
    lines = []
    for issue in issues[:limit]:
        where = f"row {issue.row}" if issue.row is not None else "file"
        column = f", column {issue.column!r}" if issue.column else ""
        value = f", value {issue.value!r}" if issue.value is not None else ""
        lines.append(f"  {issue.severity}: {where}{column}{value}: {issue.reason}")
    if len(issues) > limit:
        lines.append(f"  ... {len(issues) - limit} more")
    return lines


def report_rows(issues: list[Issue]) -> list[dict[str, Any]]:
    return [i.as_dict() for i in issues]
