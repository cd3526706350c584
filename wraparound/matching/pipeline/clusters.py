"""Group records into people from scored pairs, honouring clerical decisions.

Connected components over accepted pairs: two records are one person when a chain of
accepted pairs joins them. Kept in plain Python/polars (not engine SQL) so that the
analysts' forced links and forced non-links apply identically on every backend.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

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
    (above the threshold, forced non-links removed); pairs naming a record not in
    ``record_keys`` are ignored. Connected components are found by scipy on integer
    codes, so a county's half a million people group in well under a second.
    """
    keys = record_keys.cast(pl.Utf8).alias("record_key")
    nodes = keys.unique().sort().to_frame().with_row_index("code")
    forced = pl.DataFrame(
        list(forced_links), schema={"record_key_l": pl.Utf8, "record_key_r": pl.Utf8}, orient="row"
    )
    pairs = pl.concat(
        [accepted_pairs.select(pl.col("record_key_l", "record_key_r").cast(pl.Utf8)), forced]
    )
    edges = pairs.join(
        nodes.rename({"record_key": "record_key_l", "code": "l"}), on="record_key_l"
    ).join(nodes.rename({"record_key": "record_key_r", "code": "r"}), on="record_key_r")
    size = nodes.height
    graph = coo_matrix(
        (np.ones(edges.height, dtype=np.int8), (edges["l"].to_numpy(), edges["r"].to_numpy())),
        shape=(size, size),
    )
    _, labels = connected_components(graph, directed=False)
    # codes follow sorted keys, so the first key of each component is its smallest
    components = nodes.with_columns(pl.Series("component", labels))
    roots = components.group_by("component").agg(pl.col("record_key").first().alias("cluster_id"))
    cluster_of = components.join(roots, on="component").select("record_key", "cluster_id")
    return keys.to_frame().join(cluster_of, on="record_key", how="left", maintain_order="left")


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
