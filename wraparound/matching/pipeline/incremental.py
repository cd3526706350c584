"""Link a new extract to an existing index without re-linking everything.

The saved model is reused as trained (no EM), and every blocking rule is narrowed to
pairs with at least one new record, so the cost grows with the new extract, not with the
county:

- only the indexed records that share a blocking key with a new record are handed to
  Splink (the candidates), with term frequencies taken from the whole index, so every
  pair is scored exactly as over the whole index;
- only the people a scored pair (or a reviewer's ruling) touches are re-clustered, with
  their records joined first as they stand (seed pairs), unless a reviewer's forced
  non-link says otherwise. Everyone else is left as they are, and the result covers only
  the re-clustered records.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
from splink import Linker

from wraparound.matching.pipeline.backends import as_engine_table, open_engine
from wraparound.matching.pipeline.errors import LinkageConfigurationError
from wraparound.matching.pipeline.linkage import (
    LinkageResult,
    _empty_pairs,
    _why_labels,
    cluster_scored_pairs,
    score_pairs,
)
from wraparound.matching.pipeline.settings import LinkageSettings
from wraparound.matching.pipeline.standardise import model_columns

NEW_FLAG = "is_new_record"
EQUALITY = re.compile(r'l\."?(\w+)"?\s*=\s*r\."?(\w+)"?')


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


def rule_keys(model: dict[str, Any]) -> list[list[str]] | None:
    """The columns each blocking rule requires equal on both sides; None when a rule
    has no such equality (it could pair a new record with any indexed one)."""
    keys = []
    for rule in model["blocking_rules_to_generate_predictions"]:
        columns = [left for left, right in EQUALITY.findall(rule["blocking_rule"]) if left == right]
        if not columns or " OR " in rule["blocking_rule"].upper():
            return None
        keys.append(columns)
    return keys


def candidates(indexed: pl.DataFrame, new: pl.DataFrame, model: dict[str, Any]) -> pl.DataFrame:
    """The indexed records some blocking rule pairs with a new record.

    Each rule is run as written, new records against indexed ones both ways round, so a
    rule's conditions beyond equal columns count too (a null date of birth, a month and
    day): by its equal columns alone, a rule on first name and surname reached 720,000 of
    a million indexed records for a 32,000-record extract. Rules in another SQL dialect
    fall back to their equal columns (``rule_keys``), which can only take in more.
    """
    rules = model["blocking_rules_to_generate_predictions"]
    if any(rule.get("sql_dialect", "duckdb") != "duckdb" for rule in rules):
        return _sharing_rule_keys(indexed, new, model)
    joins = [
        # the rules are the saved model's own, which Splink runs as SQL in the same way
        f"SELECT {side}.record_key FROM {left} l JOIN {right} r ON {rule['blocking_rule']}"  # noqa: S608
        for rule in rules
        for side, left, right in (("r", "new_records", "indexed"), ("l", "indexed", "new_records"))
    ]
    if not joins:
        return indexed.clear()
    with duckdb.connect() as engine:
        engine.register("new_records", new.to_arrow())
        engine.register("indexed", indexed.to_arrow())
        keys = engine.execute(" UNION ".join(joins)).pl()
    return indexed.join(keys, on="record_key", how="semi")


def _sharing_rule_keys(
    indexed: pl.DataFrame, new: pl.DataFrame, model: dict[str, Any]
) -> pl.DataFrame:
    """The indexed records sharing every equal column of some rule with a new record."""
    keys = rule_keys(model)
    if keys is None:
        return indexed
    found = [
        indexed.join(new.select(columns).drop_nulls().unique(), on=columns, how="semi")
        for columns in keys
        if set(columns) <= set(indexed.columns)
    ]
    if not found:
        return indexed.clear()
    return pl.concat(found).unique("record_key")


def term_frequencies(frame: pl.DataFrame, model: dict[str, Any]) -> dict[str, pl.DataFrame]:
    """Splink's term-frequency table for each column the model adjusts on, as Splink
    computes it (share of non-null values), over ``frame``."""
    columns = {
        level["tf_adjustment_column"]
        for comparison in model["comparisons"]
        for level in comparison["comparison_levels"]
        if level.get("tf_adjustment_column")
    }
    tables = {}
    for column in sorted(columns & set(frame.columns)):
        values = frame.select(column).drop_nulls()
        tables[column] = values.group_by(column).agg(
            (pl.len() / max(values.height, 1)).cast(pl.Float64).alias(f"tf_{column}")
        )
    return tables


def _unchanged(standardised: pl.DataFrame, message: str) -> LinkageResult:
    return LinkageResult(
        pairs=_empty_pairs(),
        clusters=pl.DataFrame(
            schema={"record_key": pl.Utf8, "source": pl.Utf8, "cluster_id": pl.Utf8}
        ),
        review_pairs=_empty_pairs(),
        comparisons=[],
        why_labels={},
        model_path=None,
        warnings=[message],
        standardised=standardised,
    )


def link_new_records(
    standardised: pl.DataFrame,
    existing: pl.DataFrame,
    *,
    model_path: Path,
    settings: LinkageSettings,
) -> LinkageResult:
    """Link the records of ``standardised`` (every current record, as
    ``standardise_records`` gives them) that ``existing`` (record_key, cluster_id of the
    indexed records) does not hold.

    ``clusters`` in the result covers only the records it re-clustered: the new ones and
    every record of each person they touched. Everyone else keeps their cluster.
    """
    started = time.perf_counter()
    timings: dict[str, float] = {}
    everyone = standardised.select(model_columns(standardised))
    known = existing.select("record_key", "cluster_id").join(
        everyone.select("record_key"), on="record_key", how="semi"
    )
    is_new = ~pl.col("record_key").is_in(known["record_key"].implode())
    new = everyone.filter(is_new)
    if new.is_empty():
        return _unchanged(standardised, "no new records: the index is unchanged")
    model = load_model(model_path)
    indexed = everyone.filter(~is_new)
    frame = pl.concat(
        [
            new.with_columns(pl.lit(value=True).alias(NEW_FLAG)),
            candidates(indexed, new, model).with_columns(pl.lit(value=False).alias(NEW_FLAG)),
        ]
    )
    timings["candidates"] = time.perf_counter() - started
    engine = open_engine(settings.backend)
    linker = Linker(
        as_engine_table(engine, frame), _narrowed(model), db_api=engine, set_up_basic_logging=False
    )
    for column, table in term_frequencies(everyone, model).items():
        linker.table_management.register_term_frequency_lookup(
            as_engine_table(engine, table), column
        )
    stage = time.perf_counter()
    pairs = score_pairs(linker, frame, settings)
    timings["score"] = time.perf_counter() - stage

    stage = time.perf_counter()
    ruled = {key for pair in settings.forced_links | settings.forced_non_links for key in pair}
    touched = pl.concat(
        [
            pairs.select(pl.col("record_key_l").alias("record_key")),
            pairs.select(pl.col("record_key_r").alias("record_key")),
            pl.DataFrame({"record_key": list(ruled)}, schema={"record_key": pl.Utf8}),
        ]
    )
    people = known.join(touched, on="record_key", how="semi").select("cluster_id").unique()
    reclustered = known.join(people, on="cluster_id", how="semi")
    scope = pl.concat([new.select("record_key"), reclustered.select("record_key")])
    pairs, clusters, review = cluster_scored_pairs(
        pairs,
        everyone.join(scope, on="record_key", how="semi"),
        settings,
        seed_pairs=_seed_pairs(reclustered),
    )
    timings["cluster"] = time.perf_counter() - stage
    timings["incremental"] = time.perf_counter() - started
    return LinkageResult(
        pairs=pairs,
        clusters=clusters,
        review_pairs=review,
        comparisons=[],
        why_labels=_why_labels(linker),
        model_path=model_path,
        timings=timings,
        warnings=[
            f"{new.height} new record(s) linked with the saved model against {frame.height - new.height:,} "
            f"indexed record(s) sharing a blocking key; {reclustered.height:,} indexed record(s) "
            "of the people they touched re-clustered"
        ],
        standardised=standardised,
    )
