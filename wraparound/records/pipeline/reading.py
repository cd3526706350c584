"""Read an agency's file, whatever its encoding, CSV dialect or spreadsheet format.

Returns the header and rows as text (or typed cells for XLSX) with the file's own row
numbers, or raises ExtractUnreadableError with a message a data analyst can act on: empty,
truncated, binary, too large, or not decodable in the declared encoding.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import charset_normalizer

SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
LATIN_SINGLE_BYTE = ("cp125", "latin", "iso8859", "mac_", "cp850", "cp437")
Cell = str | int | float | date | datetime | None
MAX_COLUMNS = 500  # a real extract has tens; the Django layer passes settings.IMPORT_MAX_COLUMNS
NO_DATA_ROWS = "The file has a header row but no data rows: 0 records imported from it."


class ExtractUnreadableError(ValueError):
    """The file cannot be read as an extract; the message says why and what to do."""


@dataclass
class RawTable:
    """A file's header and rows as read, before any mapping."""

    headers: list[str]
    rows: list[list[Cell]]  # data rows only, each as long as headers
    row_numbers: list[int]  # the spreadsheet-style row number of each data row (header = 1)
    file_format: str  # "csv" | "xlsx"
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)


def check_size(size: int, limit: int) -> None:
    if size > limit:
        raise ExtractUnreadableError(
            f"The file is {_human(size)}, larger than the import limit of {_human(limit)}. "
            "Ask the agency to split the extract (for example by year), or an administrator "
            "to raise WRAPAROUND_IMPORT_MAX_MB."
        )


def _human(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def read_extract(
    path: Path, *, max_bytes: int, encoding: str | None = None, max_columns: int = MAX_COLUMNS
) -> RawTable:
    """Read a CSV or XLSX extract from disk after checking its size and its width.

    The width is checked from the header line alone, so a file of a million columns is
    refused in milliseconds instead of being parsed and mapped for minutes.
    """
    size = path.stat().st_size
    check_size(size, max_bytes)
    if size == 0:
        raise ExtractUnreadableError("The file is empty (0 bytes): nothing to import.")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        return _read_xlsx(path, max_columns=max_columns)
    check_header_width(path, max_columns=max_columns)
    return read_text_bytes(path.read_bytes(), encoding=encoding)


def check_header_width(path: Path, *, max_columns: int) -> None:
    """Refuse a text file whose first line is wider than ``max_columns`` columns could be."""
    limit = max(64 * 1024, max_columns * 1024)  # a generous 1 KB per header
    with path.open("rb") as handle:
        first = handle.read(limit + 1)
    line_end = min((i for i in (first.find(b"\n"), first.find(b"\r")) if i >= 0), default=-1)
    if line_end < 0 and len(first) > limit:
        raise ExtractUnreadableError(
            f"The header row is longer than {_human(limit)} with no line break: far more columns "
            f"than the {max_columns:,} Wraparound maps, or not a CSV at all. Ask the agency for "
            "an extract of the columns that matter, as a CSV with one header row."
        )
    header = first[: line_end if line_end >= 0 else len(first)]
    widest = max(header.count(d.encode()) for d in DELIMITERS) + 1
    if widest > max_columns:
        raise ExtractUnreadableError(
            f"The header row has about {widest:,} columns; Wraparound maps at most "
            f"{max_columns:,}. Ask the agency for an extract of the columns that matter, or an "
            "administrator to raise WRAPAROUND_IMPORT_MAX_COLUMNS."
        )


def decode(content: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Text and the encoding used. A declared encoding is used strictly; otherwise detected."""
    if encoding:
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            raise ExtractUnreadableError(
                f"The file is not valid {encoding}: byte {exc.start} ({content[exc.start : exc.start + 1]!r}) "
                "cannot be decoded. Check the encoding the agency used (often windows-1252 "
                "for older systems) or leave the encoding to be detected."
            ) from exc
        except LookupError as exc:
            raise ExtractUnreadableError(f"{encoding!r} is not an encoding Python knows.") from exc
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16"), "utf-16"
    if b"\x00" in content[:SNIFF_BYTES]:
        raise ExtractUnreadableError(
            "The file contains binary data (NUL bytes) and is neither a CSV nor an XLSX "
            "spreadsheet. Export it again as CSV or XLSX."
        )
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(content[: SNIFF_BYTES * 4]).best()
    if best is None:
        raise ExtractUnreadableError(
            "The text encoding of the file cannot be determined; it may not be a text file. "
            "Export it again as CSV (UTF-8) or XLSX."
        )
    guessed = best.encoding.lower().replace("-", "_")
    candidates = ["cp1252", guessed] if guessed.startswith(LATIN_SINGLE_BYTE) else [guessed]
    for candidate in candidates:
        try:
            return content.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    raise ExtractUnreadableError(f"The file could not be decoded (best guess {guessed}).")


def _sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def read_text_bytes(content: bytes, *, encoding: str | None = None) -> RawTable:
    """Parse CSV bytes: detect the encoding and dialect, check every row's width."""
    if not content.strip():
        raise ExtractUnreadableError("The file is empty: it has no header and no rows.")
    text, used = decode(content, encoding)
    delimiter = _sniff_delimiter(text[:SNIFF_BYTES])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        headers = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise ExtractUnreadableError(f"The header row cannot be read: {exc}.") from exc
    _check_headers(headers)
    rows: list[list[Cell]] = []
    numbers: list[int] = []
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(headers):
                ends_cleanly = text.endswith(("\n", "\r"))
                hint = (
                    ""
                    if ends_cleanly
                    else " The file does not end with a line break: it looks truncated."
                )
                raise ExtractUnreadableError(
                    f"Row {line} has {len(row)} values but the header has {len(headers)} columns."
                    + hint
                    + " Ask the agency for a complete extract."
                )
            rows.append(list(row))
            numbers.append(line)
    except csv.Error as exc:
        raise ExtractUnreadableError(
            f"The file cannot be parsed near line {reader.line_num}: {exc}. An unclosed quote at "
            "the end usually means the file was cut short (truncated)."
        ) from exc
    return RawTable(
        headers=headers,
        rows=rows,
        row_numbers=numbers,
        file_format="csv",
        encoding=used,
        delimiter=delimiter,
        notes=[] if rows else [NO_DATA_ROWS],
    )


def _check_headers(headers: list[str]) -> None:
    blanks = [i + 1 for i, h in enumerate(headers) if not h]
    if blanks and len(blanks) == len(headers):
        raise ExtractUnreadableError("The first row is blank: the file needs a header row.")
    seen: set[str] = set()
    for header in headers:
        if header and header in seen:
            raise ExtractUnreadableError(f"The column {header!r} appears twice in the header row.")
        seen.add(header)


def _read_xlsx(path: Path, *, max_columns: int = MAX_COLUMNS) -> RawTable:
    """Read the first sheet. The file is opened as a stream, not by name, so openpyxl does not
    judge it by its suffix (a web upload is staged under a neutral name)."""
    with path.open("rb") as stream:
        return _read_xlsx_stream(stream, max_columns=max_columns)


def _read_xlsx_stream(stream: Any, *, max_columns: int) -> RawTable:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(stream, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, InvalidFileException) as exc:
        raise ExtractUnreadableError(
            f"The spreadsheet cannot be opened ({exc.__class__.__name__}): it may be truncated "
            "or not a real XLSX file. Ask the agency to save and send it again."
        ) from exc
    try:
        sheet = book.worksheets[0]
        declared_width = getattr(sheet, "max_column", None) or 0
        if declared_width > max_columns:
            raise ExtractUnreadableError(
                f"The spreadsheet has {declared_width:,} columns; Wraparound maps at most "
                f"{max_columns:,}. Ask the agency for an extract of the columns that matter."
            )
        iterator = sheet.iter_rows(values_only=True)
        header_cells = next(iterator, None)
        if header_cells is None:
            raise ExtractUnreadableError(
                "The spreadsheet's first sheet is empty: nothing to import."
            )
        width = len(header_cells)
        while width and header_cells[width - 1] in (None, ""):
            width -= 1
        headers = [str(h).strip() if h is not None else "" for h in header_cells[:width]]
        _check_headers(headers)
        rows: list[list[Cell]] = []
        numbers: list[int] = []
        for number, cells in enumerate(iterator, start=2):
            values: list[Any] = list(cells[:width]) + [None] * max(0, width - len(cells))
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            if any(v is not None for v in cells[width:]):
                raise ExtractUnreadableError(
                    f"Row {number} has values beyond the last headed column: every column "
                    "needs a header."
                )
            rows.append([_cell(v) for v in values])
            numbers.append(number)
    except ExtractUnreadableError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError, SyntaxError) as exc:
        # SyntaxError: the XML parser's error for a damaged sheet (ElementTree.ParseError).
        raise ExtractUnreadableError(
            f"The spreadsheet is damaged or truncated ({exc}). Ask the agency to send it again."
        ) from exc
    finally:
        book.close()
    return RawTable(
        headers=headers,
        rows=rows,
        row_numbers=numbers,
        file_format="xlsx",
        notes=[] if rows else [NO_DATA_ROWS],
    )


def _cell(value: Any) -> Cell:
    if value is None or isinstance(value, str | int | float | date | datetime):
        return value  # type: ignore[no-any-return]
    return str(value)
