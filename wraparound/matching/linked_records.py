"""The linked records file: every record of the index as linkage last saw it.

An incremental run must compare a new extract with the whole index, and regroup families
county-wide. Reading a million records back through the database and standardising them
again would cost more than linking the new extract, so each run leaves beside the model
(``MODEL_DIR``) one Parquet file: every current record's standardised columns, the
extract it came from and the person it belongs to. The next incremental run reads that
file and only the extracts imported since.

The file is a cache, never the truth. It is used only when it matches the database:
written by code that standardises the same way (a fingerprint of the standardising
code), for extracts that are still current with the same number of records. Person ids
are taken from it only when no run and no reviewer's merge or split has changed the
index since it was written; otherwise they are read from the index. Anything else, or a
missing or unreadable file, and the run reads every record from the database as a full
run does. It holds the same personal data as the database and is written readable by
its owner only; it is rewritten by every run, so a record removed from the database
leaves it at the next run.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.db.models import Count, Max

from wraparound.matching.models import IndexChange, LinkageRun
from wraparound.matching.pipeline.families import FAMILY_COLUMNS
from wraparound.matching.pipeline.standardise import model_columns, standardise_records
from wraparound.records.models import ExtractStatus, SourceRecord
from wraparound.records.selectors import person_records_frame

FILE_NAME = "linked-records.parquet"
FORMAT = 1
META_KEY = "wraparound-linked-records"
# The code whose output the file holds: a change to any of them makes the file stale.
STANDARDISING_CODE = (
    "matching/pipeline/standardise.py",
    "matching/pipeline/identifiers.py",
    "matching/catalogues/nicknames.yaml",
    "core/identifiers.py",
    "records/person_fields.py",
)


def _fingerprint() -> str:
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(str(FORMAT).encode())
    for name in STANDARDISING_CODE:
        digest.update((package / name).read_bytes())
    return digest.hexdigest()


def kept_columns(standardised: pl.DataFrame) -> list[str]:
    """The columns an incremental run reads: the model's and the family rules'."""
    wanted = [*model_columns(standardised), *FAMILY_COLUMNS]
    return [name for name in dict.fromkeys(wanted) if name in standardised.columns]


def current_extract_counts() -> dict[int, int]:
    """Records per current extract, as the database holds them now."""
    rows = (
        SourceRecord.objects.filter(extract__status=ExtractStatus.CURRENT)
        .values("extract_id")
        .annotate(n=Count("id"))
        .values_list("extract_id", "n")
    )
    return {int(extract): int(count) for extract, count in rows}


def index_marks() -> dict[str, int]:
    """What identifies the index's state: the last complete run and the last manual change."""
    run = LinkageRun.objects.filter(status=LinkageRun.Status.COMPLETE).order_by("-pk").first()
    change = IndexChange.objects.aggregate(last=Max("pk"))["last"]
    return {"run": run.pk if run else 0, "index_change": int(change or 0)}


def save_linked_records(
    directory: Path,
    standardised: pl.DataFrame,
    extract_of: pl.DataFrame,
    person_of: pl.DataFrame,
    *,
    run: LinkageRun,
) -> Path:
    """Write the file for the index ``run`` has just saved.

    ``extract_of``: record_key, extract_id; ``person_of``: record_key, person_id (the
    person's public id), for every current record.
    """
    frame = (
        standardised.select(kept_columns(standardised))
        .join(extract_of.select("record_key", "extract_id"), on="record_key", how="left")
        .join(person_of.select("record_key", "person_id"), on="record_key", how="left")
    )
    counts = frame.group_by("extract_id").len().drop_nulls("extract_id")
    meta = {
        "format": FORMAT,
        "fingerprint": _fingerprint(),
        "run": run.pk,
        "index_change": index_marks()["index_change"],
        "extracts": {str(extract): int(n) for extract, n in counts.iter_rows()},
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / FILE_NAME
    partial = directory / f".{FILE_NAME}.{os.getpid()}.partial"
    partial.touch(mode=0o600)
    # lz4: a third faster to write and read than the default zstd, for a larger file (a cache)
    frame.write_parquet(partial, compression="lz4", metadata={META_KEY: json.dumps(meta)})
    os.replace(partial, path)  # readers see the old file or the new one, never half
    return path


@dataclass
class CurrentRecords:
    """Every current record, standardised, and what the index already says of them."""

    standardised: pl.DataFrame
    existing: pl.DataFrame  # record_key, cluster_id (person public id) of linked records
    extract_of: pl.DataFrame  # record_key, extract_id
    removed: list[str]  # keys of linked records whose extract is no longer current
    source: str  # where the records came from, for the run summary


def _read_file(path: Path) -> tuple[pl.DataFrame, dict[str, Any]] | None:
    try:
        meta = json.loads(pl.read_parquet_metadata(path)[META_KEY])
        frame = pl.read_parquet(path)
    except (OSError, KeyError, ValueError, pl.exceptions.PolarsError):
        return None
    if meta.get("format") != FORMAT or meta.get("fingerprint") != _fingerprint():
        return None
    return frame, meta


def load_current_records(directory: Path, existing_from_index: Any) -> CurrentRecords:
    """The file's records still current, plus the new extracts' records read and
    standardised; every record from the database when the file cannot be used.

    ``existing_from_index`` reads record_key, cluster_id from the index itself, for
    when the file's person ids may be out of date.
    """
    counts = current_extract_counts()
    stored = _read_file(directory / FILE_NAME)
    if stored is None:
        return _from_database(existing_from_index, "database (no usable linked records file)")
    frame, meta = stored
    recorded = {int(extract): int(n) for extract, n in meta["extracts"].items()}
    kept = [e for e, n in recorded.items() if counts.get(e) == n]
    new = [e for e in counts if e not in kept]
    still = frame.filter(pl.col("extract_id").is_in(kept))
    fresh = person_records_frame(extracts=new, with_extract_id=True) if new else None
    parts = [still.drop("person_id")]
    extract_parts = [still.select("record_key", "extract_id")]
    if fresh is not None and fresh.height:
        parts.append(standardise_records(fresh).select(kept_columns(still)))
        extract_parts.append(fresh.select("record_key", "extract_id"))
    standardised = pl.concat(parts, how="diagonal_relaxed").drop("extract_id", strict=False)
    current_keys = standardised.select("record_key")
    if index_marks() == {"run": meta["run"], "index_change": meta["index_change"]}:
        linked = frame.filter(pl.col("person_id").is_not_null()).select(
            "record_key", pl.col("person_id").alias("cluster_id")
        )
        where = f"linked records file, {len(new)} new extract(s) read from the database"
    else:
        linked = existing_from_index()
        where = "linked records file, people from the index (changed since it was written)"
    return CurrentRecords(
        standardised=standardised,
        existing=linked.join(current_keys, on="record_key", how="semi"),
        extract_of=pl.concat(extract_parts),
        removed=linked.join(current_keys, on="record_key", how="anti")["record_key"].to_list(),
        source=where,
    )


def _from_database(existing_from_index: Any, where: str) -> CurrentRecords:
    records = person_records_frame(with_extract_id=True)
    standardised = standardise_records(records)
    existing = existing_from_index()
    keys = standardised.select("record_key")
    return CurrentRecords(
        standardised=standardised,
        existing=existing.join(keys, on="record_key", how="semi"),
        extract_of=records.select("record_key", "extract_id"),
        removed=existing.join(keys, on="record_key", how="anti")["record_key"].to_list(),
        source=where,
    )
