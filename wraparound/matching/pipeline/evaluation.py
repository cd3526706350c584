"""Accuracy of a clustering against known truth, for benchmarks and tests.

Pairwise figures count every pair of records placed in the same cluster, so they are
comparable with published linkage results and with Splink's own evaluation.
"""

from __future__ import annotations

import polars as pl


def _pairs_within(groups: pl.Series) -> int:
    sizes = groups.value_counts()["count"]
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise_scores(predicted: pl.DataFrame, truth: pl.DataFrame) -> dict[str, float | int]:
    """Precision, recall and F1 of ``predicted`` (record_key, cluster_id) against
    ``truth`` (record_key, entity_id). Records missing from truth are ignored."""
    both = predicted.select("record_key", "cluster_id").join(
        truth.select("record_key", "entity_id"), on="record_key", how="inner"
    )
    predicted_pairs = _pairs_within(both["cluster_id"])
    true_pairs = _pairs_within(both["entity_id"])
    agreed = _pairs_within(
        both.select(pl.concat_str("cluster_id", "entity_id", separator="\x1f")).to_series()
    )
    precision = agreed / predicted_pairs if predicted_pairs else 1.0
    recall = agreed / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "records": both.height,
        "predicted_pairs": predicted_pairs,
        "true_pairs": true_pairs,
        "true_positive_pairs": agreed,
        "precision": round(precision, 5),
        "recall": round(recall, 5),
        "f1": round(f1, 5),
    }


def members_together(predicted: pl.DataFrame, truth: pl.DataFrame) -> float:
    """Share of true group members who sit in their group's most common predicted group.

    ``predicted``: member, group_id; ``truth``: member, true_group_id. A family split in
    two scores its larger part; a family merged into another still scores as together
    (merges are measured by pairwise precision instead).
    """
    both = predicted.join(truth, on="member", how="inner")
    if both.is_empty():
        return 1.0
    modal = (
        both.group_by("true_group_id", "group_id")
        .len()
        .group_by("true_group_id")
        .agg(pl.col("len").max().alias("together"))
    )
    return round(int(modal["together"].sum()) / both.height, 5)
