"""Families in the master index: one membership per person, ids carried forward.

A full run regroups families county-wide (``pipeline.families``); an incremental run
regroups only around the people it changed (``pipeline.regrouping``) and replaces only
those people's memberships. Either way this writes the result, leaving alone each
membership whose family, role and start are unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from wraparound.matching.index_tables import (
    add_rows,
    assign_ids,
    delete_ids,
    insert_rows,
    keys_table,
    quoted,
    read_frame,
    retire_unused,
)
from wraparound.matching.models import Family, FamilyMembership, Person

PERSON = Person._meta.db_table
FAMILY = Family._meta.db_table
MEMBERSHIP = FamilyMembership._meta.db_table
MEMBERSHIP_SCHEMA = {
    "id": pl.Int64,
    "person_id": pl.Int64,
    "member": pl.Utf8,
    "family_id": pl.Int64,
    "public_id": pl.Utf8,
    "retired": pl.Int8,
    "role": pl.Utf8,
    "valid_from": pl.Utf8,
}


MEMBERSHIP_COLUMNS = (
    "SELECT m.id, m.person_id, p.public_id, m.family_id, f.public_id, "
    "CASE WHEN f.retired_at IS NULL THEN 0 ELSE 1 END, m.role, CAST(m.valid_from AS TEXT)"
)


def _memberships() -> pl.DataFrame:
    """Every membership."""
    return read_frame(
        f"{MEMBERSHIP_COLUMNS} FROM {quoted(MEMBERSHIP)} m "
        f"JOIN {quoted(PERSON)} p ON p.id = m.person_id "
        f"JOIN {quoted(FAMILY)} f ON f.id = m.family_id",
        [],
        MEMBERSHIP_SCHEMA,
    )


def memberships_of_families_of(people: Sequence[str]) -> pl.DataFrame:
    """Every membership of each family that one of ``people`` (public ids) belongs to.

    The families are found from the keys first (``keyed``), then each one's memberships by
    the family index: a plain join scanned all of a county's memberships (2.8 s at 568,000)."""
    with keys_table(people) as keys:
        return read_frame(
            f"{MEMBERSHIP_COLUMNS} FROM (SELECT DISTINCT o.family_id FROM {keys} k "  # noqa: S608
            f"CROSS JOIN {quoted(PERSON)} q JOIN {quoted(MEMBERSHIP)} o ON o.person_id = q.id "
            f"WHERE q.public_id = k.k) keyed "
            f"CROSS JOIN {quoted(MEMBERSHIP)} m JOIN {quoted(PERSON)} p ON p.id = m.person_id "
            f"JOIN {quoted(FAMILY)} f ON f.id = m.family_id WHERE m.family_id = keyed.family_id",
            [],
            MEMBERSHIP_SCHEMA,
        )


def _person_pks(
    families: pl.DataFrame, people: pl.DataFrame, previous: pl.DataFrame
) -> pl.DataFrame:
    """``cluster_id, member (public id), person_id`` for every person of ``families``.

    People the result re-linked come from ``people``; the others (an incremental run
    regroups families county-wide) are named by their public id already.
    """
    linked = families.select("cluster_id").join(people, on="cluster_id")
    others = families.select("cluster_id").join(people, on="cluster_id", how="anti")
    by_membership = previous.select("member", "person_id").unique("member")
    found = others.join(by_membership, left_on="cluster_id", right_on="member", how="left")
    unknown = found.filter(pl.col("person_id").is_null())["cluster_id"].to_list()
    if unknown:
        with keys_table(unknown) as keys:
            fetched = read_frame(
                f"SELECT p.public_id, p.id FROM {keys} k CROSS JOIN {quoted(PERSON)} p "  # noqa: S608
                f"WHERE p.public_id = k.k",
                [],
                {"cluster_id": pl.Utf8, "person_id": pl.Int64},
            )
        found = pl.concat([found.filter(pl.col("person_id").is_not_null()), fetched])
    return pl.concat(
        [
            linked.select(
                "cluster_id", pl.col("public_id").alias("member"), pl.col("pk").alias("person_id")
            ),
            found.select("cluster_id", pl.col("cluster_id").alias("member"), "person_id"),
        ]
    )


def save_families(
    families: pl.DataFrame,
    people: pl.DataFrame,
    now: Any,
    *,
    replacing: pl.DataFrame | None = None,
) -> dict[str, int]:
    """Families and memberships for every person of ``families``.

    ``families`` covers the whole county, or (an incremental run) the people regrouped;
    then ``replacing`` holds the memberships their families replace (whole families, from
    ``memberships_of_families_of``, so a family that loses every member is retired), and
    every other membership is left as it is.
    """
    previous = _memberships() if replacing is None else replacing
    members = families.join(_person_pks(families, people, previous), on="cluster_id").with_columns(
        pl.col("valid_from").cast(pl.Utf8).alias("valid_from_text")
    )
    ids = assign_ids(
        members.select("member", pl.col("family_key").alias("group")),
        previous.select("member", "public_id"),
        FAMILY,
        "F",
    )
    known = previous.select("public_id", pl.col("family_id").alias("pk"), "retired").unique(
        "public_id"
    )
    family_pks = add_rows(FAMILY, ids, known, now)
    desired = members.join(ids, left_on="family_key", right_on="group").join(
        family_pks.rename({"pk": "family_id"}), on="public_id"
    )
    kept = (
        previous.group_by("person_id")
        .agg(
            pl.len(),
            pl.col("family_id").first(),
            pl.col("role").first(),
            pl.col("valid_from").first(),
        )
        .filter(pl.col("len") == 1)
        .join(
            desired.select(
                "person_id", "family_id", "role", pl.col("valid_from_text").alias("valid_from")
            ),
            on=["person_id", "family_id", "role", "valid_from"],
            how="semi",
            nulls_equal=True,
        )
    )
    stale = previous.join(kept, on="person_id", how="anti")["id"].to_list()
    new = (
        desired.join(kept, on="person_id", how="anti")
        .select("family_id", "person_id", "role", "valid_from", pl.lit("{}").alias("evidence"))
        .sort("family_id", "person_id")
    )
    written = {
        "memberships_deleted": delete_ids(MEMBERSHIP, stale),
        "memberships_inserted": insert_rows(MEMBERSHIP, new.columns, new.rows()),
    }
    if replacing is None:
        active = read_frame(
            f"SELECT id FROM {quoted(FAMILY)} WHERE retired_at IS NULL",  # noqa: S608
            [],
            {"pk": pl.Int64},
        )
    else:
        active = previous.filter(pl.col("retired") == 0).select(pl.col("family_id").alias("pk"))
    unused = active.unique().join(family_pks, on="pk", how="anti")["pk"].to_list()
    written["families_retired"] = retire_unused(FAMILY, MEMBERSHIP, "family_id", unused, now)
    return written
