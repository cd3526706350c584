"""A plain Splink model, as in Splink's own tutorials, to benchmark ours against.

Generic first name, surname, date of birth and postcode comparisons on lightly cleaned
columns (lower-case names, upper-case postcodes), blocking on name pairs, birthday and
postcode, EM on names and on birthday. No identifiers, nicknames or household guard:
this is what a team would get from the documentation on day one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.blocking_analysis import (
    count_comparisons_from_blocking_rule,
    cumulative_comparisons_to_be_scored_from_blocking_rules_data,
)
from splink.internals.blocking_rule_creator import BlockingRuleCreator

from wraparound.matching.pipeline.backends import as_engine_table, fetch_frame, open_engine
from wraparound.matching.pipeline.clusters import cluster_records


def baseline_frame(records: pl.DataFrame) -> pl.DataFrame:
    return records.select(
        "record_key",
        pl.col("first_name").str.to_lowercase().str.strip_chars().alias("first_name"),
        pl.col("surname").str.to_lowercase().str.strip_chars().alias("surname"),
        pl.col("dob").cast(pl.Date),
        pl.col("postcode").str.to_uppercase().str.strip_chars().alias("postcode"),
    )


def baseline_link(records: pl.DataFrame, *, threshold: float = 0.95) -> tuple[pl.DataFrame, int]:
    """(record_key, cluster_id) for every record, and the number of comparisons scored."""
    frame = baseline_frame(records)
    rules: list[BlockingRuleCreator | dict[str, Any]] = [
        block_on("first_name", "surname"),
        block_on("dob"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_key",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=False),
            cl.PostcodeComparison("postcode"),
        ],
        blocking_rules_to_generate_predictions=rules,
        retain_matching_columns=False,
    )
    counter = open_engine("duckdb")
    counts = cumulative_comparisons_to_be_scored_from_blocking_rules_data(
        table_or_tables=[as_engine_table(counter, frame)],
        blocking_rules=rules,
        link_type="dedupe_only",
        db_api=counter,
        unique_id_column_name="record_key",
    )
    engine = open_engine("duckdb")
    linker = Linker(
        as_engine_table(engine, frame), settings, db_api=engine, set_up_basic_logging=False
    )
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=3e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    scored = fetch_frame(linker.inference.predict(threshold_match_probability=threshold))
    clusters = cluster_records(frame["record_key"], scored.select("record_key_l", "record_key_r"))
    return clusters, int(counts["row_count"].sum())


def textbook_frame(records: pl.DataFrame) -> pl.DataFrame:
    """The mapped columns, lightly cleaned the way Splink's tutorials clean them."""
    text = {
        "first_name": "first_name",
        "surname": "surname",
        "postcode": "postcode",
        "address_line": "address",
        "sex": "sex",
    }
    columns = [pl.col("record_key"), pl.col("source")]
    for raw, name in text.items():
        if raw in records.columns and records[raw].null_count() < records.height:
            cleaned = pl.col(raw).cast(pl.Utf8).str.to_lowercase().str.strip_chars()
            columns.append(pl.when(cleaned.str.len_chars() > 0).then(cleaned).alias(name))
    if "dob" in records.columns and records["dob"].null_count() < records.height:
        columns.append(pl.col("dob").cast(pl.Date))
    identifiers = [
        c
        for c in records.columns
        if (c.startswith("ident_") or c in ("nhs_number", "upn", "ni_number"))
        and records[c].null_count() < records.height
    ]
    columns += [pl.col(c).cast(pl.Utf8).str.strip_chars().alias(c) for c in identifiers]
    return records.select(columns)


# The bounded baseline: a blocking rule that alone would generate more comparisons than
# this is dropped before training, as a Splink user does after
# ``count_comparisons_from_blocking_rule`` shows a rule that blocks nearly everything
# (pseudopeople's every ZIP code is 00000: "same postcode" is all 53 million pairs).
PLAIN_RULE_COMPARISON_CAP = 5_000_000


@dataclass(frozen=True)
class TextbookRun:
    """What the plain baseline did: clusters, comparisons scored, and its blocking."""

    clusters: pl.DataFrame
    comparisons: int
    rules: list[dict[str, Any]]  # rule, comparisons_pre_filter (alone), kept
    cap: int


def bounded_rules(
    tables: list[pl.DataFrame],
    rules: list[tuple[str, BlockingRuleCreator]],
    *,
    link_type: str,
    cap: int = PLAIN_RULE_COMPARISON_CAP,
) -> tuple[list[BlockingRuleCreator], list[dict[str, Any]]]:
    """The rules that each generate at most ``cap`` comparisons, and every rule's count.

    Counts are Splink's pre-filter counts (the rule's equality join, before self-pairs and
    each pair's mirror image are removed): cheap to compute however loose the rule, and
    what ``count_comparisons_from_blocking_rule`` shows a user first.
    """
    engine = open_engine("duckdb")
    registered = [as_engine_table(engine, table) for table in tables]
    kept: list[BlockingRuleCreator] = []
    report: list[dict[str, Any]] = []
    for name, rule in rules:
        counted = count_comparisons_from_blocking_rule(
            table_or_tables=registered,
            blocking_rule=rule,
            link_type=link_type,  # type: ignore[arg-type]
            db_api=engine,
            unique_id_column_name="record_key",
            compute_post_filter_count=False,
        )
        comparisons = int(counted["number_of_comparisons_generated_pre_filter_conditions"])
        kept_rule = comparisons <= cap
        report.append({"rule": name, "comparisons_pre_filter": comparisons, "kept": kept_rule})
        if kept_rule:
            kept.append(rule)
    return kept, report


def textbook_link(
    records: pl.DataFrame, *, link_type: str, rule_cap: int = PLAIN_RULE_COMPARISON_CAP
) -> TextbookRun:
    """A plain Splink 4 model as its documentation teaches it: the library's standard
    comparisons for whatever columns are mapped, blocking on name pair, birthday and
    postcode (and each identifier), EM on names and on birthday, pairs at Splink's usual
    0.95 joined by connected components. ``link_type`` is Splink's own (one table per
    source). Bounded: a blocking rule above ``rule_cap`` comparisons is dropped
    (``bounded_rules``).
    """
    frame = textbook_frame(records)
    has = set(frame.columns)
    comparisons: list[Any] = []
    if "first_name" in has:
        comparisons.append(cl.NameComparison("first_name"))
    if "surname" in has:
        comparisons.append(cl.NameComparison("surname"))
    if "dob" in has:
        comparisons.append(cl.DateOfBirthComparison("dob", input_is_string=False))
    if "postcode" in has:
        comparisons.append(cl.PostcodeComparison("postcode"))
    if "address" in has:
        comparisons.append(cl.JaroWinklerAtThresholds("address"))
    if "sex" in has:
        comparisons.append(cl.ExactMatch("sex"))
    identifiers = [
        c
        for c in frame.columns
        if c.startswith("ident_") or c in ("nhs_number", "upn", "ni_number")
    ]
    comparisons += [cl.ExactMatch(c) for c in identifiers]
    blocked_on = [
        columns
        for columns in (("first_name", "surname"), ("dob",), ("postcode",))
        if set(columns) <= has
    ] + [(c,) for c in identifiers]
    candidates = [("+".join(columns), block_on(*columns)) for columns in blocked_on]
    tables = (
        [frame]
        if link_type == "dedupe_only"
        else [part for _, part in frame.group_by("source", maintain_order=True)]
    )
    kept, report = bounded_rules(tables, candidates, link_type=link_type, cap=rule_cap)
    if not kept:
        raise ValueError(f"Every blocking rule is above the cap of {rule_cap:,}: {report}")
    rules: list[BlockingRuleCreator | dict[str, Any]] = list(kept)
    settings = SettingsCreator(
        link_type=link_type,  # type: ignore[arg-type]
        unique_id_column_name="record_key",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules,
        retain_matching_columns=False,
    )
    counter = open_engine("duckdb")
    counts = cumulative_comparisons_to_be_scored_from_blocking_rules_data(
        table_or_tables=[as_engine_table(counter, t) for t in tables],
        blocking_rules=rules,
        link_type=link_type,  # type: ignore[arg-type]
        db_api=counter,
        unique_id_column_name="record_key",
    )
    engine = open_engine("duckdb")
    linker = Linker(
        [as_engine_table(engine, t) for t in tables],
        settings,
        db_api=engine,
        set_up_basic_logging=False,
    )
    deterministic = [r for r in ({"first_name", "surname", "dob"},) if r <= has]
    if deterministic:
        linker.training.estimate_probability_two_random_records_match(
            [block_on("first_name", "surname", "dob")], recall=0.7
        )
    linker.training.estimate_u_using_random_sampling(max_pairs=3e6, seed=1)
    for needed, rule in (
        ({"first_name", "surname"}, block_on("first_name", "surname")),
        ({"dob"}, block_on("dob")),
    ):
        if needed <= has:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
    scored = fetch_frame(linker.inference.predict(threshold_match_probability=0.95))
    clusters = cluster_records(frame["record_key"], scored.select("record_key_l", "record_key_r"))
    return TextbookRun(clusters, int(counts["row_count"].sum()), report, rule_cap)
