"""Match any CSV files: read a MAP.toml mapping, build C2-shaped records, write results.

This is the generic face of the linkage engine (``wraparound match-files``): an analyst
with two spreadsheets and no Wraparound database can still de-duplicate and link them.
The mapping format is documented in docs/matching.md.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from wraparound.matching.pipeline.decisions import summary_of
from wraparound.matching.pipeline.errors import LinkageConfigurationError, LinkageInputError
from wraparound.matching.pipeline.linkage import LinkageResult, link_records
from wraparound.matching.pipeline.model import MODES
from wraparound.matching.pipeline.settings import LinkageSettings
from wraparound.matching.pipeline.standardise import parse_dates

# MAP.toml key -> C2 column it fills. A key maps one column, or a list of columns that
# are joined with spaces (street number and street name into one address line).
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
    "ni_number": "ni_number",
}
FILE_KEYS = {
    "file",
    "source",
    "id",
    "dob_format",
    "encoding",
    "delimiter",
    "identifiers",
    *FIELD_KEYS,
}
SETTING_KEYS = {"match_threshold", "review_threshold", "max_comparisons", "mode", "pairs_floor"}

# Every MAP.toml key in words: printed by `match-files --help`, and a test checks that
# docs/matching.md documents the same keys.
MAPPING_KEY_HELP = {
    "match_threshold": "[settings] join pairs at or above this probability (default 0.95)",
    "review_threshold": "[settings] hold pairs from here up to match_threshold for review (0.5)",
    "pairs_floor": "[settings] write scored pairs down to this probability to pairs.csv (0.05)",
    "max_comparisons": "[settings] refuse blocking that would score more pairs (200000000)",
    "mode": "[settings] link_and_dedupe (default), link_only (across files) or dedupe_only",
    "file": "file name the entry applies to (matched against the FILE arguments)",
    "source": "label for the file in the outputs (default: file name without extension)",
    "id": "the file's own record id column (required, unique, never blank)",
    "first_name": "first name column",
    "middle_names": "middle name(s) column",
    "surname": "surname / family name column",
    "dob": "date of birth column",
    "dob_format": "strftime format of dob, or a list tried in order (default %Y-%m-%d)",
    "sex": "sex column (F/M, female/male, 1/2)",
    "postcode": "postcode column (UK form validated; any other form kept as written)",
    "address": "address line column, or a list of columns joined with spaces",
    "nhs_number": "NHS number column (modulus-11 check)",
    "upn": "unique pupil number column (DfE check letter)",
    "ni_number": "National Insurance number column (HMRC format)",
    "identifiers": "[files.identifiers] table: name = column, any other identifiers",
    "encoding": "text encoding (default utf-8, byte-order mark allowed)",
    "delimiter": "field delimiter (default ,)",
}
# Any field key may name a list of columns, joined with spaces.
# Pairs this probable and more are written to pairs.csv (marked below threshold when
# under the review threshold), so a user can see near misses.
DEFAULT_PAIRS_FLOOR = 0.05
IDENTIFIER_NAME = re.compile(r"^[a-z][a-z0-9_]{0,30}$")


@dataclass(frozen=True)
class FileMapping:
    """How one CSV file's columns map onto a person record."""

    file: str
    source: str
    id_column: str
    columns: dict[str, tuple[str, ...]]  # C2 column (or ident_<name>) -> CSV column(s)
    dob_formats: tuple[str, ...] = ()
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

    def with_overrides(self, **overrides: Any) -> Mapping:
        """The mapping with command-line settings (those not None) taking precedence."""
        chosen = {key: value for key, value in overrides.items() if value is not None}
        _check_settings(chosen, "command line")
        return Mapping(files=self.files, settings={**self.settings, **chosen})


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise LinkageConfigurationError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _columns(value: Any, key: str, where: str) -> tuple[str, ...]:
    """One column name or a non-empty list of them (combined with spaces)."""
    names = [value] if isinstance(value, str) else value
    if (
        not isinstance(names, list)
        or not names
        or not all(isinstance(name, str) and name.strip() for name in names)
    ):
        raise LinkageConfigurationError(
            f"{where}: '{key}' must be a column name or a list of column names"
        )
    return tuple(name.strip() for name in names)


def _check_settings(settings: dict[str, Any], where: str) -> None:
    unknown = set(settings) - SETTING_KEYS
    if unknown:
        raise LinkageConfigurationError(
            f"{where}: unknown [settings] key(s) {sorted(unknown)}; allowed: {sorted(SETTING_KEYS)}"
        )
    if "mode" in settings and settings["mode"] not in MODES:
        raise LinkageConfigurationError(
            f"{where}: mode must be one of {', '.join(MODES)} (got {settings['mode']!r})"
        )
    for key in ("match_threshold", "review_threshold", "pairs_floor"):
        value = settings.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1
        ):
            raise LinkageConfigurationError(f"{where}: {key} must be a number from 0 to 1")
    value = settings.get("max_comparisons")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise LinkageConfigurationError(f"{where}: max_comparisons must be a positive whole number")


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
    if not isinstance(settings, dict):
        raise LinkageConfigurationError(f"{path}: [settings] must be a table")
    _check_settings(settings, str(path))
    files = [_file_mapping(entry, f"{path} [[files]] #{n}") for n, entry in enumerate(entries, 1)]
    names = [item.file for item in files]
    sources = [item.source for item in files]
    if len(set(names)) != len(names) or len(set(sources)) != len(sources):
        raise LinkageConfigurationError(f"{path}: each file and source may appear only once")
    return Mapping(files=files, settings=settings)


def _identifier_columns(entry: dict[str, Any], where: str) -> dict[str, tuple[str, ...]]:
    table = entry.get("identifiers", {})
    if not isinstance(table, dict):
        raise LinkageConfigurationError(
            f"{where}: [files.identifiers] must be a table of name = column"
        )
    out: dict[str, tuple[str, ...]] = {}
    for name, value in table.items():
        if not IDENTIFIER_NAME.match(name) or name in FIELD_KEYS:
            raise LinkageConfigurationError(
                f"{where}: identifier name {name!r} must be lower-case letters, digits and _ "
                "(and not a field key such as nhs_number)"
            )
        out[f"ident_{name}"] = _columns(value, f"identifiers.{name}", where)
    return out


def _file_mapping(entry: Any, where: str) -> FileMapping:
    if not isinstance(entry, dict):
        raise LinkageConfigurationError(f"{where} must be a table")
    unknown = set(entry) - FILE_KEYS
    if unknown:
        raise LinkageConfigurationError(
            f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(FILE_KEYS)}"
        )
    file_name = _text(entry, "file", where)
    columns = {
        column: _columns(entry[key], key, where)
        for key, column in FIELD_KEYS.items()
        if key in entry
    }
    columns.update(_identifier_columns(entry, where))
    if not columns:
        raise LinkageConfigurationError(f"{where}: map at least one of {sorted(FIELD_KEYS)}")
    formats = entry.get("dob_format", ())
    return FileMapping(
        file=file_name,
        source=str(entry.get("source") or Path(file_name).stem),
        id_column=_text(entry, "id", where),
        columns=columns,
        dob_formats=_columns(formats, "dob_format", where) if formats else (),
        encoding=str(entry.get("encoding", "utf-8-sig")),
        delimiter=str(entry.get("delimiter", ",")),
    )


def read_file(path: Path, mapping: FileMapping) -> pl.DataFrame:
    """One CSV file as C2-shaped records (values as text, dates parsed).

    Header cells are trimmed (`` given_name`` is ``given_name``). A date of birth that
    fits none of the formats is not dropped: its text goes to ``dob_unparsed`` (as
    ``YYYY-MM-DD`` when its digits fit the format, e.g. 30 February) so that it still
    counts as evidence, and the run reports how many there were.
    """
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
    header = [
        cell.strip() for cell in next(csv.reader(io.StringIO(text), delimiter=mapping.delimiter))
    ]
    repeated_header = sorted({cell for cell in header if header.count(cell) > 1})
    if repeated_header:
        raise LinkageInputError(f"{path.name}: column(s) {repeated_header} appear more than once")
    wanted = [mapping.id_column, *[c for names in mapping.columns.values() for c in names]]
    missing = [column for column in dict.fromkeys(wanted) if column not in header]
    if missing:
        raise LinkageInputError(
            f"{path.name}: the mapping names column(s) {missing} that the file does not have; "
            f"its columns are {header}"
        )
    chosen = list(dict.fromkeys(wanted))
    frame = pl.read_csv(
        io.StringIO(text),
        separator=mapping.delimiter,
        infer_schema=False,
        has_header=False,
        skip_rows=1,
        new_columns=header,
        raise_if_empty=False,
    )
    if frame.width != len(header):  # a header and no rows
        frame = pl.DataFrame(schema=dict.fromkeys(header, pl.Utf8))
    frame = frame.select(chosen)
    return _as_records(frame, mapping, path.name)


def _combined(names: tuple[str, ...]) -> pl.Expr:
    parts = [pl.col(name).str.strip_chars() for name in names]
    if len(parts) == 1:
        return parts[0]
    return pl.concat_str(parts, separator=" ", ignore_nulls=True).str.strip_chars()


def _as_records(frame: pl.DataFrame, mapping: FileMapping, name: str) -> pl.DataFrame:
    records = frame.select(
        pl.col(mapping.id_column).str.strip_chars().alias("source_id"),
        *[_combined(names).alias(column) for column, names in mapping.columns.items()],
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
        records = records.with_columns(*parse_dates("dob", mapping.dob_formats))
    return records.with_columns(
        pl.lit(mapping.source).alias("source"),
        (pl.lit(mapping.source + ":") + pl.col("source_id")).alias("record_key"),
    )


def match_files(
    paths: list[Path], mapping: Mapping, *, progress: Callable[[str], None] | None = None
) -> tuple[pl.DataFrame, LinkageResult]:
    """Link the files; return the combined records and the linkage result.

    One file means dedupe within it whatever the mode says; ``link_only`` over files
    whose records all come from one source would have nothing to do.
    """
    if not paths:
        raise LinkageInputError("Give at least one CSV file to match")
    say = progress or (lambda _message: None)
    say(f"reading {len(paths)} file(s)")
    frames = [read_file(path, mapping.for_path(path)) for path in paths]
    records = pl.concat(frames, how="diagonal_relaxed")
    options = dict(mapping.settings)
    options.setdefault("pairs_floor", DEFAULT_PAIRS_FLOOR)
    if len(paths) == 1 and options.get("mode") == "link_only":
        raise LinkageConfigurationError("mode link_only needs two or more files to link")
    settings = LinkageSettings(model_dir=None, **options)
    return records, link_records(records, settings=settings, progress=progress)


def _pair_frame(records: pl.DataFrame, result: LinkageResult) -> pl.DataFrame:
    ids = records.select("record_key", "source", "source_id")
    pairs = result.pairs
    for column, dtype in (("decision", pl.Utf8), ("reason_code", pl.Utf8), ("reason", pl.Utf8)):
        if column not in pairs.columns:
            pairs = pairs.with_columns(pl.lit(None, dtype=dtype).alias(column))
    cluster = result.clusters.select("record_key", "cluster_id")
    return (
        pairs.join(ids.rename(lambda c: f"{c}_l"), on="record_key_l", how="left")
        .join(ids.rename(lambda c: f"{c}_r"), on="record_key_r", how="left")
        .join(
            cluster.rename({"record_key": "record_key_l", "cluster_id": "_cl"}),
            on="record_key_l",
            how="left",
        )
        .join(
            cluster.rename({"record_key": "record_key_r", "cluster_id": "_cr"}),
            on="record_key_r",
            how="left",
        )
        .select(
            pl.col("source_l"),
            pl.col("source_id_l").alias("id_l"),
            pl.col("source_r"),
            pl.col("source_id_r").alias("id_r"),
            pl.col("match_probability").round(6),
            "decision",
            (pl.col("_cl") == pl.col("_cr")).alias("same_person"),
            "reason_code",
            "reason",
        )
        .sort("match_probability", "source_l", "id_l", descending=[True, False, False])
    )


def run_summary(records: pl.DataFrame, result: LinkageResult, files: list[Path]) -> dict[str, Any]:
    """Everything a run did, as JSON: counts, timings, blocking, model, parse failures."""
    per_file = records.group_by("source").len().sort("source")
    return {
        "files": [str(path) for path in files],
        "records": records.height,
        "records_per_source": dict(per_file.iter_rows()),
        "people": result.clusters["cluster_id"].n_unique() if result.clusters.height else 0,
        "comparisons": result.comparison_count,
        "pairs": summary_of(result.pairs),
        "review_questions": result.review_pairs.height,
        "blocking": result.blocking,
        "parse_failures": result.parse_failures,
        "timings_seconds": {k: round(v, 2) for k, v in result.timings.items()},
        "warnings": result.warnings,
        "model": model_parameters(result.model),
    }


def model_parameters(model: dict[str, Any] | None) -> list[dict[str, Any]]:
    """m and u of every comparison level of the trained model, for the run summary."""
    if not model:
        return []
    out = []
    for comparison in model.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            if level.get("is_null_level"):
                continue
            out.append(
                {
                    "comparison": comparison.get("output_column_name"),
                    "level": level.get("label_for_charts"),
                    "m": level.get("m_probability"),
                    "u": level.get("u_probability"),
                }
            )
    return out


def write_results(
    records: pl.DataFrame, result: LinkageResult, out_dir: Path, files: list[Path]
) -> dict[str, Path]:
    """Write ``pairs.csv``, ``clusters.csv`` and ``summary.json`` with the agencies' ids."""
    out_dir.mkdir(parents=True, exist_ok=True)
    ids = records.select("record_key", "source_id")
    clusters = (
        result.clusters.join(ids, on="record_key", how="left")
        .select("source", pl.col("source_id").alias("id"), "cluster_id")
        .sort("cluster_id", "source", "id")
    )
    paths = {
        "pairs": out_dir / "pairs.csv",
        "clusters": out_dir / "clusters.csv",
        "summary": out_dir / "summary.json",
    }
    _pair_frame(records, result).write_csv(paths["pairs"])
    clusters.write_csv(paths["clusters"])
    paths["summary"].write_text(
        json.dumps(run_summary(records, result, files), indent=1, default=str), encoding="utf-8"
    )
    return paths
