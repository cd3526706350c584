"""The plain Splink baseline of `wraparound bench match-files` is bounded, and says so."""

from __future__ import annotations

import polars as pl
from splink import block_on

from wraparound.matching.bench_files import figures_table
from wraparound.matching.pipeline.baseline import bounded_rules


def _records(count: int) -> pl.DataFrame:
    """``count`` records that all share one postcode (pseudopeople's ZIP codes are all
    00000) and have ten first names between them."""
    return pl.DataFrame(
        {
            "record_key": [f"r{i}" for i in range(count)],
            "first_name": [f"name{i % 10}" for i in range(count)],
            "postcode": ["00000"] * count,
        }
    )


def test_a_rule_that_blocks_nearly_everything_is_dropped_and_reported() -> None:
    rules = [("postcode", block_on("postcode")), ("first_name", block_on("first_name"))]
    kept, report = bounded_rules([_records(200)], rules, link_type="dedupe_only", cap=10_000)
    assert len(kept) == 1
    assert [(row["rule"], row["kept"]) for row in report] == [
        ("postcode", False),
        ("first_name", True),
    ]
    assert report[0]["comparisons_pre_filter"] > 10_000 >= report[1]["comparisons_pre_filter"]


def _figures(*, bounded: bool) -> dict[str, object]:
    return {
        "precision": 1.0,
        "recall": 0.5,
        "f1": 0.667,
        "seconds": 1.0,
        "peak_rss_mb": 100.0,
        "comparisons": 10,
        "bounded": bounded,
        "rule_cap": 5_000_000,
        "rules_dropped": ["postcode"] if bounded else [],
    }


def test_the_table_labels_a_bounded_baseline_with_the_rules_it_dropped() -> None:
    results = [
        {"dataset": "set", "ours": _figures(bounded=False), "plain_splink": _figures(bounded=True)}
    ]
    table = figures_table(results)
    assert "plain Splink (bounded: dropped postcode)" in table
    assert "above 5,000,000 comparisons each" in table
