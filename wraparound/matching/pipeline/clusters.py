"""Group records into people from scored pairs, honouring clerical decisions.

Connected components over accepted pairs: two records are one person when a chain of
accepted pairs joins them. Kept in plain Python/polars (not engine SQL) so that the
analysts' forced links and forced non-links apply identically on every backend.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

PairKey = tuple[str, str]


def pair_key(left: str, right: str) -> PairKey:
    """Order-independent key for a pair of record keys."""
    return (left, right) if left <= right else (right, left)


class DisjointSet:
    """Union-find over string keys; the smallest key of a set is its root."""

    def __init__(self, items: Iterable[str]) -> None:
        self.parent: dict[str, str] = {item: item for item in items}

    def find(self, item: str) -> str:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, left: str, right: str) -> None:
        a, b = self.find(left), self.find(right)
        if a != b:
            # the smaller key becomes the root so cluster ids are deterministic
            if b < a:
                a, b = b, a
            self.parent[b] = a


def cluster_records(
    record_keys: pl.Series,
    accepted_pairs: pl.DataFrame,
    *,
    forced_links: Iterable[PairKey] = (),
) -> pl.DataFrame:
    """``record_key, cluster_id`` for every record; the cluster id is its smallest key.

    ``accepted_pairs`` holds ``record_key_l, record_key_r`` already judged to be matches
    (above the threshold, forced non-links removed).
    """
    components = DisjointSet(record_keys.to_list())
    for left, right in zip(
        accepted_pairs["record_key_l"].to_list(),
        accepted_pairs["record_key_r"].to_list(),
        strict=True,
    ):
        components.union(left, right)
    for left, right in forced_links:
        if left in components.parent and right in components.parent:
            components.union(left, right)
    keys = record_keys.to_list()
    return pl.DataFrame(
        {"record_key": keys, "cluster_id": [components.find(key) for key in keys]},
        schema={"record_key": pl.Utf8, "cluster_id": pl.Utf8},
    )


def without_pairs(pairs: pl.DataFrame, excluded: Iterable[PairKey]) -> pl.DataFrame:
    """``pairs`` minus any whose (unordered) keys are in ``excluded``."""
    excluded_frame = pl.DataFrame(
        [pair_key(left, right) for left, right in excluded],
        schema={"_a": pl.Utf8, "_b": pl.Utf8},
        orient="row",
    )
    if excluded_frame.is_empty() or pairs.is_empty():
        return pairs
    ordered = pairs.with_columns(
        pl.min_horizontal("record_key_l", "record_key_r").alias("_a"),
        pl.max_horizontal("record_key_l", "record_key_r").alias("_b"),
    )
    return ordered.join(excluded_frame, on=["_a", "_b"], how="anti").drop("_a", "_b")
