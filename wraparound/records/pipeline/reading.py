"""Read an agency's file, whatever its encoding, CSV dialect or spreadsheet format.

Returns the header and rows as text (or typed cells for XLSX) with the file's own row
numbers, or raises ExtractUnreadableError with a message a data analyst can act on: empty,
truncated, binary, too large, or not decodable in the declared encoding.

A CSV is streamed: decoded and parsed a block at a time, its cells kept as polars text
columns (``FrameRows``), never as the whole file's bytes, text or Python row lists at
once. A 200 MB extract of a million narrow rows needs a few hundred megabytes, not gigabytes.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, overload

import charset_normalizer
import polars as pl

SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
LATIN_SINGLE_BYTE = ("cp125", "latin", "iso8859", "mac_", "cp850", "cp437")
Cell = str | int | float | date | datetime | None
MAX_COLUMNS = 500  # a real extract has tens; the Django layer passes settings.IMPORT_MAX_COLUMNS
NO_DATA_ROWS = "The file has a header row but no data rows: 0 records imported from it."
CHUNK_ROWS = 50_000  # rows parsed into Python lists before they become polars columns


class FrameRows(Sequence[list[Any]]):
    """A CSV's data rows held as polars text columns (one per header, by position),
    read like a list of row lists: ``len``, indexing and slicing, iteration, equality."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    def __len__(self) -> int:
        return self.frame.height

    @overload
    def __getitem__(self, index: int) -> list[Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[list[Any]]: ...
    def __getitem__(self, index: int | slice) -> list[Any] | list[list[Any]]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self.frame.height)
            rows = self.frame.slice(start, max(stop - start, 0)).iter_rows()
            return [list(row) for row in rows][::step]
        return list(self.frame.row(index))

    def __iter__(self) -> Iterator[list[Any]]:
        return (list(row) for row in self.frame.iter_rows())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


class ExtractUnreadableError(ValueError):
    """The file cannot be read as an extract; the message says why and what to do."""


@dataclass
class RawTable:
    """A file's header and rows as read, before any mapping."""

    headers: list[str]
    rows: Sequence[list[Cell]]  # data rows only, each as long as headers (FrameRows for a CSV)
    row_numbers: Sequence[int]  # the spreadsheet-style row number of each data row (header = 1)
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
    return read_text_stream(lambda: path.open("rb"), encoding=encoding)


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


class _Undecodable(Exception):  # noqa: N818 - internal signal, never shown
    """The stream is not valid in the encoding tried, at byte ``offset``."""

    def __init__(self, encoding: str, offset: int, byte: bytes) -> None:
        super().__init__(encoding, offset, byte)
        self.encoding, self.offset, self.byte = encoding, offset, byte


def _first_encoding(head: bytes, declared: str | None) -> str:
    """The encoding to try first: the declared one, a byte order mark's, else UTF-8."""
    if declared:
        try:
            codecs.lookup(declared)
        except LookupError as exc:
            raise ExtractUnreadableError(f"{declared!r} is not an encoding Python knows.") from exc
        return declared
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in head[:SNIFF_BYTES]:
        raise ExtractUnreadableError(
            "The file contains binary data (NUL bytes) and is neither a CSV nor an XLSX "
            "spreadsheet. Export it again as CSV or XLSX."
        )
    return "utf-8"


def _guessed_encodings(sample: bytes) -> tuple[str, list[str]]:
    best = charset_normalizer.from_bytes(sample).best()
    if best is None:
        raise ExtractUnreadableError(
            "The text encoding of the file cannot be determined; it may not be a text file. "
            "Export it again as CSV (UTF-8) or XLSX."
        )
    guessed = best.encoding.lower().replace("-", "_")
    return guessed, ["cp1252", guessed] if guessed.startswith(LATIN_SINGLE_BYTE) else [guessed]


def _declared_error(encoding: str, offset: int, byte: bytes) -> ExtractUnreadableError:
    return ExtractUnreadableError(
        f"The file is not valid {encoding}: byte {offset} ({byte!r}) "
        "cannot be decoded. Check the encoding the agency used (often windows-1252 "
        "for older systems) or leave the encoding to be detected."
    )


def _sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


Opener = Callable[[], IO[bytes]]


def read_text_bytes(content: bytes, *, encoding: str | None = None) -> RawTable:
    """Parse CSV bytes: detect the encoding and dialect, check every row's width."""
    return read_text_stream(lambda: io.BytesIO(content), encoding=encoding)


def read_text_stream(opener: Opener, *, encoding: str | None = None) -> RawTable:
    """Parse a CSV from ``opener`` (opened once per attempt), a block at a time.

    An undeclared encoding is tried as UTF-8 first; if some byte, however far into the
    file, is not UTF-8, the encoding is guessed from the start of the file and from
    around that byte, and the file is parsed again.
    """
    with opener() as stream:
        head = stream.read(SNIFF_BYTES * 4)
        if not head.strip() and not stream.read(1):
            raise ExtractUnreadableError("The file is empty: it has no header and no rows.")
    first = _first_encoding(head, encoding)
    try:
        return _parse_csv(opener, first)
    except _Undecodable as failure:
        if encoding:
            raise _declared_error(encoding, failure.offset, failure.byte) from None
        with opener() as stream:
            stream.seek(max(failure.offset - SNIFF_BYTES, 0))
            around = stream.read(SNIFF_BYTES * 2)
        guessed, candidates = _guessed_encodings(head[:SNIFF_BYTES] + around)
    for candidate in candidates:
        try:
            return _parse_csv(opener, candidate)
        except _Undecodable:
            continue
    raise ExtractUnreadableError(f"The file could not be decoded (best guess {guessed}).")


def _ends_with_line_break(opener: Opener) -> bool:
    with opener() as stream:
        stream.seek(0, io.SEEK_END)
        stream.seek(max(stream.tell() - 4, 0))
        return stream.read().rstrip(b"\x00").endswith((b"\n", b"\r"))


def _parse_csv(opener: Opener, encoding: str) -> RawTable:
    with opener() as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
        try:
            delimiter = _sniff_delimiter(text.read(SNIFF_BYTES))
            text.seek(0)
            return _parse_rows(text, delimiter, encoding, opener)
        except UnicodeDecodeError as exc:
            offset = raw.tell() - len(exc.object) + exc.start
            raise _Undecodable(
                encoding, offset, bytes(exc.object[exc.start : exc.start + 1])
            ) from exc
        finally:
            text.detach()


def _parse_rows(text: IO[str], delimiter: str, encoding: str, opener: Opener) -> RawTable:
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    try:
        headers = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise ExtractUnreadableError(f"The header row cannot be read: {exc}.") from exc
    _check_headers(headers)
    schema = {str(i): pl.String for i in range(len(headers))}
    frames: list[pl.DataFrame] = []
    chunk: list[list[str]] = []
    numbers: list[int] = []
    number_parts: list[pl.Series] = []
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(headers):
                hint = (
                    ""
                    if _ends_with_line_break(opener)
                    else " The file does not end with a line break: it looks truncated."
                )
                raise ExtractUnreadableError(
                    f"Row {line} has {len(row)} values but the header has {len(headers)} columns."
                    + hint
                    + " Ask the agency for a complete extract."
                )
            chunk.append(row)
            numbers.append(line)
            if len(chunk) >= CHUNK_ROWS:
                frames.append(pl.DataFrame(chunk, schema=schema, orient="row"))
                number_parts.append(pl.Series("row", numbers, dtype=pl.Int64))
                chunk, numbers = [], []
    except csv.Error as exc:
        raise ExtractUnreadableError(
            f"The file cannot be parsed near line {reader.line_num}: {exc}. An unclosed quote at "
            "the end usually means the file was cut short (truncated)."
        ) from exc
    frames.append(pl.DataFrame(chunk, schema=schema, orient="row"))
    number_parts.append(pl.Series("row", numbers, dtype=pl.Int64))
    cells = pl.concat(frames, rechunk=True)
    return RawTable(
        headers=headers,
        rows=FrameRows(cells),
        row_numbers=pl.concat(number_parts),  # type: ignore[arg-type]
        file_format="csv",
        encoding=encoding,
        delimiter=delimiter,
        notes=[] if cells.height else [NO_DATA_ROWS],
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
