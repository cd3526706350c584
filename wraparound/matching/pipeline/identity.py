"""Stable public ids: a re-run keeps the id of the person (or family) it re-finds.

A new cluster inherits the id of the previous cluster it shares most members with;
each previous id goes to at most one new cluster (the one with the largest overlap), so
when a person is split, the larger part keeps the id and the smaller part gets a new one.
"""

from __future__ import annotations

import json

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
    # A group whose members had one previous id, held by no other group, simply keeps it
    # (most of a county on a re-run); only the contested rest go through the greedy loop.
    alone = (pl.col("group").count().over("group") == 1) & (
        pl.col("public_id").count().over("public_id") == 1
    )
    settled = overlaps.filter(alone)
    contested = overlaps.filter(~alone)
    taken_groups: set[str] = set()
    taken_ids: set[str] = set()
    assigned: dict[str, str] = {}
    for group, public_id, _ in contested.iter_rows():
        if group in taken_groups or public_id in taken_ids:
            continue
        assigned[group] = public_id
        taken_groups.add(group)
        taken_ids.add(public_id)
    decided = pl.concat(
        [
            settled.select("group", "public_id"),
            pl.DataFrame(
                list(assigned.items()),
                schema={"group": pl.Utf8, "public_id": pl.Utf8},
                orient="row",
            ),
        ]
    )
    all_groups = groups.select(pl.col("group").cast(pl.Utf8)).unique().sort("group")
    return all_groups.join(decided, on="group", how="left", maintain_order="left")


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
    # ties broken by the pair's keys, so a re-run picks the same pair (and writes nothing)
    ordered = sides.sort(
        "match_probability", "record_key_l", "record_key_r", descending=[True, False, False]
    )
    return ordered.unique("record_key", keep="first", maintain_order=True)


def _json_text(values: list[str]) -> dict[str, str]:
    return {value: json.dumps(value) for value in values}


def why_json(
    pairs: pl.DataFrame, why_labels: dict[str, dict[int, str]], *, jsonb_order: bool = False
) -> pl.Expr:
    """Each pair's ``LinkageResult.why`` as JSON text, computed column-wise.

    The same text ``json.dumps(result.why(pair))`` gives, without a Python call per pair:
    a county has a million links. ``jsonb_order`` orders the keys as PostgreSQL's jsonb
    stores them (shorter keys first), so the text equals what the database gives back.
    """
    parts: list[tuple[str, pl.Expr]] = []
    for name, labels in why_labels.items():
        column = f"gamma_{name}"
        if column not in pairs.columns:
            continue
        values = pairs[column].drop_nulls().unique().to_list()
        words = {value: json.dumps(labels.get(int(value), str(value))) for value in values}
        label = pl.col(column).replace_strict(words, default=None, return_dtype=pl.Utf8)
        parts.append((name, pl.lit(json.dumps(name) + ": ") + label))
    for column, key in (("held_back", "held back"), ("reason_code", "held back code")):
        if column not in pairs.columns or "held_back" not in pairs.columns:
            continue
        quoted = _json_text(pairs[column].drop_nulls().unique().to_list())
        value = pl.col(column).replace_strict(quoted, default=None, return_dtype=pl.Utf8)
        shown = pl.col("held_back").is_not_null() & (pl.col("held_back") != "")
        if column == "reason_code":
            shown = shown & pl.col(column).is_not_null() & (pl.col(column) != "")
        parts.append((key, pl.when(shown).then(pl.lit(json.dumps(key) + ": ") + value)))
    if not parts:
        return pl.lit("{}")
    if jsonb_order:
        parts.sort(key=lambda part: (len(part[0].encode()), part[0].encode()))
    entries = [expr for _, expr in parts]
    return pl.lit("{") + pl.concat_str(entries, separator=", ", ignore_nulls=True) + pl.lit("}")


def best_links(
    pairs: pl.DataFrame,
    clusters: pl.DataFrame,
    why_labels: dict[str, dict[int, str]],
    *,
    jsonb_order: bool = False,
) -> pl.DataFrame:
    """``record_key, match_probability, why`` (JSON text) of each record's strongest pair
    inside its own cluster (``best_link_per_record``), for the index's links."""
    best = best_link_per_record(pairs, clusters)
    return best.select(
        "record_key",
        pl.col("match_probability").cast(pl.Float64),
        why_json(best, why_labels, jsonb_order=jsonb_order).alias("why"),
    )
