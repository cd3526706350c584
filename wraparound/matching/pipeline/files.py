"""Match any CSV files: read a MAP.toml mapping, build C2-shaped records, write results.

This is the generic face of the linkage engine (``wraparound match-files``): an analyst
with two spreadsheets and no Wraparound database can still de-duplicate and link them.
The mapping format is documented in docs/matching.md.
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from wraparound.matching.pipeline.errors import LinkageConfigurationError, LinkageInputError
from wraparound.matching.pipeline.linkage import LinkageResult, link_records
from wraparound.matching.pipeline.settings import LinkageSettings

# MAP.toml key -> C2 column it fills
FIELD_KEYS = {
    "first_name": "first_name",
    "middle_names": "middle_names",
    "surname": "surname",
    "dob": "dob",
    "sex": "sex",
    "postcode": "postcode",
    "address": "address_line",
    "nhs_number": "nhs_number",
    "upn": "upn",
}
FILE_KEYS = {"file", "source", "id", "dob_format", "encoding", "delimiter", *FIELD_KEYS}
SETTING_KEYS = {"match_threshold", "review_threshold", "max_comparisons"}


@dataclass(frozen=True)
class FileMapping:
    """How one CSV file's columns map onto a person record."""

    file: str
    source: str
    id_column: str
    columns: dict[str, str]  # C2 column -> CSV column
    dob_format: str | None = None
    encoding: str = "utf-8-sig"
    delimiter: str = ","


@dataclass(frozen=True)
class Mapping:
    files: list[FileMapping]
    settings: dict[str, Any] = field(default_factory=dict)

    def for_path(self, path: Path) -> FileMapping:
        matches = [item for item in self.files if item.file == path.name]
        if not matches:
            known = ", ".join(item.file for item in self.files)
            raise LinkageConfigurationError(
                f"{path.name} has no [[files]] entry in the mapping (entries: {known})"
            )
        return matches[0]


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise LinkageConfigurationError(f"{where}: '{key}' must be a non-empty string")
    return value


def load_mapping(path: Path) -> Mapping:
    """Read and validate MAP.toml, naming the exact key that is wrong."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise LinkageConfigurationError(f"Mapping file {path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise LinkageConfigurationError(f"{path} is not valid TOML: {exc}") from exc
    entries = document.get("files")
    if not isinstance(entries, list) or not entries:
        raise LinkageConfigurationError(f"{path} needs at least one [[files]] table")
    settings = document.get("settings", {})
    unknown_settings = set(settings) - SETTING_KEYS
    if unknown_settings:
        raise LinkageConfigurationError(
            f"{path}: unknown [settings] key(s) {sorted(unknown_settings)}; "
            f"allowed: {sorted(SETTING_KEYS)}"
        )
    files = [_file_mapping(entry, f"{path} [[files]] #{n}") for n, entry in enumerate(entries, 1)]
    names = [item.file for item in files]
    sources = [item.source for item in files]
    if len(set(names)) != len(names) or len(set(sources)) != len(sources):
        raise LinkageConfigurationError(f"{path}: each file and source may appear only once")
    return Mapping(files=files, settings=settings)


def _file_mapping(entry: dict[str, Any], where: str) -> FileMapping:
    unknown = set(entry) - FILE_KEYS
    if unknown:
        raise LinkageConfigurationError(
            f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(FILE_KEYS)}"
        )
    file_name = _text(entry, "file", where)
    columns = {
        column: _text(entry, key, where) for key, column in FIELD_KEYS.items() if key in entry
    }
    if not columns:
        raise LinkageConfigurationError(f"{where}: map at least one of {sorted(FIELD_KEYS)}")
    return FileMapping(
        file=file_name,
        source=str(entry.get("source") or Path(file_name).stem),
        id_column=_text(entry, "id", where),
        columns=columns,
        dob_format=entry.get("dob_format"),
        encoding=str(entry.get("encoding", "utf-8-sig")),
        delimiter=str(entry.get("delimiter", ",")),
    )


def read_file(path: Path, mapping: FileMapping) -> pl.DataFrame:
    """One CSV file as C2-shaped records (all values as text, dates parsed)."""
    try:
        text = path.read_bytes().decode(mapping.encoding)
    except FileNotFoundError as exc:
        raise LinkageInputError(f"{path} does not exist") from exc
    except (UnicodeDecodeError, LookupError) as exc:
        raise LinkageInputError(
            f"{path.name} cannot be read as {mapping.encoding}: {exc}; set 'encoding' in the mapping"
        ) from exc
    if not text.strip():
        raise LinkageInputError(f"{path.name} is empty: it needs a header row naming its columns")
    header = next(csv.reader(io.StringIO(text), delimiter=mapping.delimiter))
    wanted = {mapping.id_column: "source_id", **{v: k for k, v in mapping.columns.items()}}
    missing = [column for column in wanted if column not in header]
    if missing:
        raise LinkageInputError(
            f"{path.name}: the mapping names column(s) {missing} that the file does not have; "
            f"its columns are {header}"
        )
    frame = pl.read_csv(
        io.StringIO(text),
        separator=mapping.delimiter,
        infer_schema=False,
        columns=list(dict.fromkeys(wanted)),
    )
    return _as_records(frame, wanted, mapping, path.name)


def _as_records(
    frame: pl.DataFrame, wanted: dict[str, str], mapping: FileMapping, name: str
) -> pl.DataFrame:
    records = frame.select(
        [pl.col(csv_column).str.strip_chars().alias(c2) for csv_column, c2 in wanted.items()]
    ).with_columns(pl.col(pl.Utf8).replace("", None))
    blank_ids = records["source_id"].null_count()
    if blank_ids:
        raise LinkageInputError(
            f"{name}: {blank_ids} row(s) have no value in id column '{mapping.id_column}'"
        )
    repeated = records.filter(pl.col("source_id").is_duplicated())
    if repeated.height:
        raise LinkageInputError(
            f"{name}: id '{repeated['source_id'][0]}' appears more than once in '{mapping.id_column}'"
        )
    if "dob" in records.columns:
        records = records.with_columns(pl.col("dob").str.to_date(mapping.dob_format, strict=False))
    return records.with_columns(
        pl.lit(mapping.source).alias("source"),
        (pl.lit(mapping.source + ":") + pl.col("source_id")).alias("record_key"),
    )


def match_files(paths: list[Path], mapping: Mapping) -> tuple[pl.DataFrame, LinkageResult]:
    """Link the files; return the combined records and the linkage result."""
    if not paths:
        raise LinkageInputError("Give at least one CSV file to match")
    frames = [read_file(path, mapping.for_path(path)) for path in paths]
    records = pl.concat(frames, how="diagonal_relaxed")
    settings = LinkageSettings(model_dir=None, **mapping.settings)
    return records, link_records(records, settings=settings)


def write_results(records: pl.DataFrame, result: LinkageResult, out_dir: Path) -> tuple[Path, Path]:
    """Write ``pairs.csv`` and ``clusters.csv`` with the agencies' own ids."""
    out_dir.mkdir(parents=True, exist_ok=True)
    ids = records.select("record_key", "source", "source_id")
    pairs = (
        result.pairs.join(ids.rename(lambda c: f"{c}_l"), on="record_key_l", how="left")
        .join(ids.rename(lambda c: f"{c}_r"), on="record_key_r", how="left")
        .select(
            pl.col("source_l"),
            pl.col("source_id_l").alias("id_l"),
            pl.col("source_r"),
            pl.col("source_id_r").alias("id_r"),
            pl.col("match_probability").round(6),
        )
        .sort("match_probability", "source_l", "id_l", descending=[True, False, False])
    )
    clusters = (
        result.clusters.join(ids.select("record_key", "source_id"), on="record_key", how="left")
        .select("source", pl.col("source_id").alias("id"), "cluster_id")
        .sort("cluster_id", "source", "id")
    )
    pairs_path, clusters_path = out_dir / "pairs.csv", out_dir / "clusters.csv"
    pairs.write_csv(pairs_path)
    clusters.write_csv(clusters_path)
    return pairs_path, clusters_path
