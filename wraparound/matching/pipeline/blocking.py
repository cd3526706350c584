"""Blocking that fits the data at hand: count it, estimate what it misses, widen it.

Blocking decides which pairs are ever scored; a true pair no rule generates can never be
joined, however good the model. So every run

1. counts the comparisons each rule adds beyond the rules before it (Splink's blocking
   analysis), and refuses a rule set above ``max_comparisons``;
2. after scoring, *probes* the data with single-field rules (same surname, same first
   name, same date of birth, same postcode, same address, each restricted to pairs the
   main rules do not already generate) that fit within ``probe_comparisons``, and scores
   those extra pairs with the trained model; and
3. reports the estimated recall ceiling, the share of likely matches (probability at or
   above the match threshold) among all found that the main rules reach, and keeps the
   probe pairs: a probe that found likely matches is a rule added to this run.

The estimate is relative: a match no probe reaches either is not counted. It is still the
number that would have shown the postcode problem in issue 12 (83 % of pairs reachable).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
from splink import Linker, block_on
from splink.blocking_analysis import (
    count_comparisons_from_blocking_rule,
    cumulative_comparisons_to_be_scored_from_blocking_rules_data,
)
from splink.internals.database_api import DatabaseAPISubClass

from wraparound.matching.pipeline.backends import as_engine_table, fetch_frame, open_engine
from wraparound.matching.pipeline.model import Blocking, in_mode
from wraparound.matching.pipeline.settings import LinkageSettings

# Single fields a true match often shares when it shares little else.
PROBE_COLUMNS = (
    ("address_std", "same address line"),
    ("dob_text", "same date of birth"),
    ("postcode_std", "same postcode"),
    ("surname_std", "same surname"),
    ("first_name_group", "same first name group"),
)


@dataclass(frozen=True)
class Probe:
    name: str
    reason: str
    comparisons: int
    sql: str


def count_comparisons(
    engine: DatabaseAPISubClass, table: Any, blocking: list[Blocking]
) -> list[dict[str, Any]]:
    """Comparisons each blocking rule adds beyond the rules before it."""
    counts = cumulative_comparisons_to_be_scored_from_blocking_rules_data(
        table_or_tables=[table],
        blocking_rules=[item.rule for item in blocking],
        link_type="dedupe_only",
        db_api=engine,
        unique_id_column_name="record_key",
    )
    rows = counts.to_dict(orient="records")
    return [
        {"rule": item.name, "reason": item.reason, "comparisons": int(row["row_count"])}
        for item, row in zip(blocking, rows, strict=True)
    ]


def _rule_sql(item: Blocking, dialect: str) -> str:
    return str(item.rule.get_blocking_rule(dialect).blocking_rule_sql)


def affordable_probes(
    engine: DatabaseAPISubClass,
    frame: pl.DataFrame,
    blocking: list[Blocking],
    settings: LinkageSettings,
) -> tuple[list[Probe], list[dict[str, Any]]]:
    """Probe rules that fit the budget (cheapest first), and the count of every candidate."""
    dialect = engine.sql_dialect.sql_dialect_str
    present = {c for c in frame.columns if frame[c].null_count() < frame.height}
    excluded = " AND ".join(
        f"NOT COALESCE(({_rule_sql(item, dialect)}), FALSE)" for item in blocking
    )
    table = as_engine_table(engine, frame)
    candidates: list[Probe] = []
    report: list[dict[str, Any]] = []
    for column, reason in PROBE_COLUMNS:
        if column not in present:
            continue
        rule = in_mode(block_on(column), settings.mode)
        count = count_comparisons_from_blocking_rule(
            table_or_tables=[table],
            blocking_rule=rule,
            link_type="dedupe_only",
            db_api=engine,
            unique_id_column_name="record_key",
            compute_post_filter_count=False,
        )
        comparisons = int(count["number_of_comparisons_generated_pre_filter_conditions"])
        sql = str(rule.get_blocking_rule(dialect).blocking_rule_sql)
        candidates.append(Probe(f"probe_{column}", reason, comparisons, f"({sql}) AND {excluded}"))
        report.append({"rule": f"probe_{column}", "reason": reason, "comparisons": comparisons})
    chosen: list[Probe] = []
    spent = 0
    for probe in sorted(candidates, key=lambda p: p.comparisons):
        if spent + probe.comparisons > settings.probe_comparisons:
            break
        chosen.append(probe)
        spent += probe.comparisons
    return chosen, report


def probe_pairs(
    model: dict[str, Any],
    frame: pl.DataFrame,
    blocking: list[Blocking],
    settings: LinkageSettings,
    floor: float,
) -> tuple[pl.DataFrame | None, dict[str, Any]]:
    """Pairs only the probes reach (scored by ``model``), and the probe report."""
    engine = open_engine(settings.backend)
    probes, report = (
        affordable_probes(engine, frame, blocking, settings)
        if settings.probe_comparisons > 0
        else ([], [])
    )
    summary: dict[str, Any] = {"probes": report, "probes_scored": [p.name for p in probes]}
    if not probes:
        return None, summary
    dialect = engine.sql_dialect.sql_dialect_str
    probed = {
        **model,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": probe.sql, "sql_dialect": dialect} for probe in probes
        ],
    }
    linker = Linker(
        as_engine_table(engine, frame), probed, db_api=engine, set_up_basic_logging=False
    )
    pairs = fetch_frame(linker.inference.predict(threshold_match_probability=floor))
    names = {str(i): probe.name for i, probe in enumerate(probes)}
    if "match_key" in pairs.columns:
        pairs = pairs.with_columns(
            pl.col("match_key").cast(pl.Utf8).replace(names).alias("found_by")
        )
    return pairs, summary


def recall_ceiling(
    main: pl.DataFrame, probed: pl.DataFrame | None, match_threshold: float
) -> dict[str, Any]:
    """Share of likely matches the main rules reach, of those main rules and probes found."""
    likely_main = main.filter(pl.col("match_probability") >= match_threshold).height
    if probed is None:
        return {"likely_matches_main_rules": likely_main, "estimated_recall_ceiling": None}
    found = probed.filter(pl.col("match_probability") >= match_threshold)
    by_probe = (
        dict(found["found_by"].value_counts().iter_rows()) if "found_by" in found.columns else {}
    )
    total = likely_main + found.height
    return {
        "likely_matches_main_rules": likely_main,
        "likely_matches_probes_only": found.height,
        "likely_matches_by_probe": by_probe,
        "estimated_recall_ceiling": round(likely_main / total, 5) if total else 1.0,
        "rules_added": sorted(by_probe),
    }
