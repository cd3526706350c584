"""Link a new extract to an existing index without re-linking everything.

The saved model is reused as trained (no EM), and every blocking rule is narrowed to
pairs with at least one new record, so the cost grows with the new extract, not with the
county. Existing people are kept joined (their records enter as seed pairs) unless a
reviewer's forced non-link says otherwise.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import polars as pl
from splink import Linker

from wraparound.matching.pipeline.backends import as_engine_table, open_engine
from wraparound.matching.pipeline.errors import LinkageConfigurationError
from wraparound.matching.pipeline.linkage import (
    LinkageResult,
    _trivial_result,
    _why_labels,
    score_and_cluster,
)
from wraparound.matching.pipeline.settings import LinkageSettings
from wraparound.matching.pipeline.standardise import model_columns, standardise_records

NEW_FLAG = "is_new_record"


def _narrowed(model: dict[str, Any]) -> dict[str, Any]:
    narrowed = dict(model)
    narrowed["blocking_rules_to_generate_predictions"] = [
        {**rule, "blocking_rule": f"({rule['blocking_rule']}) AND (l.{NEW_FLAG} OR r.{NEW_FLAG})"}
        for rule in model["blocking_rules_to_generate_predictions"]
    ]
    narrowed["additional_columns_to_retain"] = ["source"]
    return narrowed


def _seed_pairs(existing: pl.DataFrame) -> pl.DataFrame:
    anchors = existing.group_by("cluster_id").agg(pl.col("record_key").min().alias("anchor"))
    return (
        existing.join(anchors, on="cluster_id")
        .filter(pl.col("record_key") != pl.col("anchor"))
        .select(pl.col("record_key").alias("record_key_l"), pl.col("anchor").alias("record_key_r"))
    )


def load_model(path: Path) -> dict[str, Any]:
    try:
        model: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LinkageConfigurationError(
            f"Cannot read the saved linkage model {path}: {exc}"
        ) from exc
    return model


def link_new_records(
    records: pl.DataFrame,
    existing: pl.DataFrame,
    *,
    model_path: Path,
    settings: LinkageSettings,
) -> LinkageResult:
    """Cluster ``records`` (all current records) given ``existing`` (record_key, cluster_id).

    Only pairs involving a record absent from ``existing`` are scored.
    """
    started = time.perf_counter()
    standardised = standardise_records(records)
    known = existing.select("record_key", "cluster_id").join(
        standardised.select("record_key"), on="record_key", how="semi"
    )
    frame = standardised.select(model_columns(standardised)).with_columns(
        (~pl.col("record_key").is_in(known["record_key"].implode())).alias(NEW_FLAG)
    )
    if frame.height < 2:
        return _trivial_result(standardised, f"{frame.height} record(s): nothing to compare")
    model = _narrowed(load_model(model_path))
    engine = open_engine(settings.backend)
    linker = Linker(
        as_engine_table(engine, frame), model, db_api=engine, set_up_basic_logging=False
    )
    pairs, clusters, review = score_and_cluster(
        linker, frame, settings, seed_pairs=_seed_pairs(known)
    )
    return LinkageResult(
        pairs=pairs,
        clusters=clusters,
        review_pairs=review,
        comparisons=[],
        why_labels=_why_labels(linker),
        model_path=model_path,
        timings={"incremental": time.perf_counter() - started},
        warnings=[f"{int(frame[NEW_FLAG].sum())} new record(s) linked with the saved model"],
        standardised=standardised,
    )
