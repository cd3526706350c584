"""Scoring a linkage benchmark's index against the synthetic truth, and its baseline.

Kept apart from the stages (``bench``) so the figures are computed the same way whatever
ran them. Everything here is polars over the index tables and the truth files.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import polars as pl

from wraparound.matching.pipeline.baseline import baseline_link
from wraparound.matching.pipeline.evaluation import members_together, pairwise_scores

# Above this many records the plain baseline runs on a sample of whole families: its
# blocking (same date of birth, same postcode, same names) grows with the square of the
# county and passed 20 GB at a million records.
BASELINE_MAX_RECORDS = 250_000
BASELINE_COLUMNS = ("first_name", "surname", "dob", "postcode")


def read_truth(synth_dir: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(record_key, entity_id) of every record, and (entity_id, family_id) of every person."""
    records = pl.read_parquet(synth_dir / "truth" / "records.parquet").select(
        (pl.col("source") + ":" + pl.col("source_id")).alias("record_key"),
        pl.col("person_id").alias("entity_id"),
    )
    persons = pl.read_parquet(synth_dir / "truth" / "persons.parquet").select(
        pl.col("person_id").alias("entity_id"), "family_id"
    )
    return records, persons


def read_index(database: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(record_key, cluster_id) links and (cluster_id, family_id) memberships of the index."""
    with sqlite3.connect(database) as connection:
        links = pl.read_database(
            "select l.record_key, p.public_id as cluster_id from matching_personrecordlink l "
            "join matching_person p on p.id = l.person_id",
            connection,
            schema_overrides={"record_key": pl.Utf8, "cluster_id": pl.Utf8},
        )
        memberships = pl.read_database(
            "select p.public_id as cluster_id, f.public_id as family_id "
            "from matching_familymembership m join matching_person p on p.id = m.person_id "
            "join matching_family f on f.id = m.family_id",
            connection,
            schema_overrides={"cluster_id": pl.Utf8, "family_id": pl.Utf8},
        )
    return links, memberships


def family_accuracy(
    links: pl.DataFrame, memberships: pl.DataFrame, truth: pl.DataFrame, persons: pl.DataFrame
) -> dict[str, Any]:
    """Members together (share of true family members placed with their family's most
    common predicted family) and pairwise precision/recall over people, which also
    counts families wrongly merged."""
    predicted = (
        links.join(memberships, on="cluster_id")
        .join(truth, on="record_key")
        .group_by("entity_id")
        .agg(pl.col("family_id").mode().first().alias("group_id"))
        .rename({"entity_id": "member"})
    )
    true_groups = persons.select(
        pl.col("entity_id").alias("member"), pl.col("family_id").alias("true_group_id")
    )
    pairwise = pairwise_scores(
        predicted.rename({"member": "record_key", "group_id": "cluster_id"}),
        true_groups.rename({"member": "record_key", "true_group_id": "entity_id"}),
    )
    return {
        "members_together": members_together(predicted, true_groups),
        "pairwise_precision": pairwise["precision"],
        "pairwise_recall": pairwise["recall"],
    }


def id_stability(before: pl.DataFrame, after: pl.DataFrame) -> float:
    """Share of records whose person public id is unchanged by a re-run."""
    both = before.join(after, on="record_key", suffix="_after")
    if both.is_empty():
        return 1.0
    kept = both.filter(pl.col("cluster_id") == pl.col("cluster_id_after")).height
    return round(kept / both.height, 5)


def family_sample(
    records: pl.DataFrame, truth: pl.DataFrame, persons: pl.DataFrame, limit: int
) -> pl.DataFrame:
    """The records of whole true families, about ``limit`` of them (all if fewer).

    Whole families, not single records, so every true match stays in the sample with the
    relatives that make linkage hard."""
    if records.height <= limit:
        return records
    every = -(-records.height // limit)
    chosen = persons.filter(pl.col("family_id").cast(pl.Utf8).hash(7) % every == 0)
    keys = truth.join(chosen.select("entity_id"), on="entity_id", how="semi")
    return records.join(keys.select("record_key"), on="record_key", how="semi")


def baseline_figures(
    records: pl.DataFrame,
    truth: pl.DataFrame,
    persons: pl.DataFrame,
    links: pl.DataFrame,
    *,
    limit: int = BASELINE_MAX_RECORDS,
) -> dict[str, Any]:
    """Plain Splink on ``records`` (or a family sample of them), scored; with
    Wraparound's index scored on the same sample when one was taken."""
    sample = family_sample(records, truth, persons, limit)
    started = time.perf_counter()
    clusters, comparisons = baseline_link(sample)
    figures: dict[str, Any] = {
        "seconds": round(time.perf_counter() - started, 2),
        "comparisons": comparisons,
        "records": sample.height,
        "person_pairwise": pairwise_scores(clusters, truth),
    }
    if sample.height < records.height:
        figures["sample"] = (
            f"whole true families: {sample.height:,} of {records.height:,} records; "
            "plain Splink on every record would not fit in memory"
        )
        figures["wraparound_on_sample"] = pairwise_scores(
            links.join(sample.select("record_key"), on="record_key", how="semi"), truth
        )
    return figures
