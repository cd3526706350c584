"""A plain Splink model, as in Splink's own tutorials, to benchmark ours against.

Generic first name, surname, date of birth and postcode comparisons on lightly cleaned
columns (lower-case names, upper-case postcodes), blocking on name pairs, birthday and
postcode, EM on names and on birthday. No identifiers, nicknames or household guard:
this is what a team would get from the documentation on day one.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.blocking_analysis import cumulative_comparisons_to_be_scored_from_blocking_rules_data
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
