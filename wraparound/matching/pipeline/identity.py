"""Stable public ids: a re-run keeps the id of the person (or family) it re-finds.

A new cluster inherits the id of the previous cluster it shares most members with;
each previous id goes to at most one new cluster (the one with the largest overlap), so
when a person is split, the larger part keeps the id and the smaller part gets a new one.
"""

from __future__ import annotations

import polars as pl


def carry_forward_ids(groups: pl.DataFrame, previous: pl.DataFrame) -> pl.DataFrame:
    """``group, public_id`` (null when new) for each group in ``groups``.

    ``groups``: member, group. ``previous``: member, public_id.
    """
    overlaps = (
        groups.join(previous, on="member", how="inner")
        .group_by("group", "public_id")
        .len()
        .sort(["len", "group", "public_id"], descending=[True, False, False])
    )
    taken_groups: set[str] = set()
    taken_ids: set[str] = set()
    assigned: dict[str, str] = {}
    for group, public_id, _ in overlaps.iter_rows():
        if group in taken_groups or public_id in taken_ids:
            continue
        assigned[group] = public_id
        taken_groups.add(group)
        taken_ids.add(public_id)
    all_groups = groups["group"].unique().sort()
    return pl.DataFrame(
        {"group": all_groups, "public_id": [assigned.get(g) for g in all_groups.to_list()]},
        schema={"group": pl.Utf8, "public_id": pl.Utf8},
    )


def best_link_per_record(pairs: pl.DataFrame, clusters: pl.DataFrame) -> pl.DataFrame:
    """For each record, its strongest pair inside its own cluster: record_key, pair row.

    Used to store why a record belongs to its person. Records joined only by a
    reviewer's decision, and people of one record, have no row.
    """
    cluster_of = clusters.select("record_key", "cluster_id")
    inside = (
        pairs.join(
            cluster_of.rename({"record_key": "record_key_l", "cluster_id": "_cl"}),
            on="record_key_l",
        )
        .join(
            cluster_of.rename({"record_key": "record_key_r", "cluster_id": "_cr"}),
            on="record_key_r",
        )
        .filter(pl.col("_cl") == pl.col("_cr"))
        .drop("_cl", "_cr")
    )
    sides = pl.concat(
        [
            inside.with_columns(pl.col("record_key_l").alias("record_key")),
            inside.with_columns(pl.col("record_key_r").alias("record_key")),
        ]
    )
    return sides.sort("match_probability", descending=True).unique("record_key", keep="first")
