"""Group people into families from what agencies recorded about households.

Two kinds of evidence join people: an agency's own household or case reference shared
by their records (a school's family id, a housing tenancy, an early-help case), and the
same home at their most recent record (same address line and postcode). People are the
clusters from linkage; families are connected components over these joins.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from wraparound.matching.pipeline.clusters import cluster_records

ADULT_AGE = 18


def _edges_from_groups(frame: pl.DataFrame, group: list[str]) -> pl.DataFrame:
    """Join every person in a group to the group's first person (a star is enough)."""
    members = frame.drop_nulls(group).unique(subset=[*group, "cluster_id"])
    first = members.group_by(group).agg(pl.col("cluster_id").min().alias("anchor"))
    return (
        members.join(first, on=group)
        .filter(pl.col("cluster_id") != pl.col("anchor"))
        .select(pl.col("cluster_id").alias("record_key_l"), pl.col("anchor").alias("record_key_r"))
    )


def _attach_partial_homes(home: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    """Place people known only by postcode (or only by address line) with a relative.

    A children's centre may record only a postcode: such a person joins someone with the
    same surname there. Only people *lacking* a full home are attached this way — joining
    fully addressed people by postcode and surname would chain neighbouring families of
    a common surname into one.
    """
    full = home.filter(pl.col("address_std").is_not_null() & pl.col("postcode_std").is_not_null())
    partial = home.filter(pl.col("address_std").is_null() | pl.col("postcode_std").is_null())
    partial = partial.drop_nulls(key)
    anchors = full.drop_nulls(key).group_by(key).agg(pl.col("cluster_id").min().alias("anchor"))
    to_addressed = partial.join(anchors, on=key).select(
        pl.col("cluster_id").alias("record_key_l"), pl.col("anchor").alias("record_key_r")
    )
    return pl.concat([to_addressed, _edges_from_groups(partial, key)])


def _latest_home(people: pl.DataFrame) -> pl.DataFrame:
    """Each person's most recently recorded postcode, address line and surname."""
    ordered = people.sort("recorded_at", nulls_last=False).group_by("cluster_id")
    return ordered.agg(
        pl.col("postcode_std").drop_nulls().last(),
        pl.col("address_std").drop_nulls().last(),
        pl.col("surname_std").drop_nulls().last(),
    )


def group_families(
    records: pl.DataFrame, clusters: pl.DataFrame, *, as_of: date | None = None
) -> pl.DataFrame:
    """``person (cluster_id), family (family_key), role, valid_from, evidence`` per person.

    ``records`` is the standardised frame (``standardise_records``); ``clusters`` maps each
    record_key to its person's cluster_id.
    """
    as_of = as_of or date.today()
    people = records.join(clusters.select("record_key", "cluster_id"), on="record_key")
    by_reference = _edges_from_groups(
        people.with_columns(
            pl.when(pl.col("household_ref").is_not_null())
            .then(pl.col("source") + "|" + pl.col("household_ref"))
            .alias("household")
        ),
        ["household"],
    )
    home = _latest_home(people)
    by_home = pl.concat(
        [
            _edges_from_groups(home, ["postcode_std", "address_std"]),
            _attach_partial_homes(home, ["postcode_std", "surname_std"]),
            _attach_partial_homes(home, ["address_std", "surname_std"]),
        ]
    )
    person_ids = people["cluster_id"].unique().sort()
    families = cluster_records(person_ids, pl.concat([by_reference, by_home]))
    details = people.group_by("cluster_id").agg(
        pl.col("dob").drop_nulls().mode().first().alias("dob"),
        pl.col("recorded_at").min().alias("valid_from"),
    )
    age = pl.lit(as_of.year) - pl.col("dob").dt.year()
    return (
        families.rename({"record_key": "cluster_id", "cluster_id": "family_key"})
        .join(details, on="cluster_id", how="left")
        .with_columns(
            pl.when(pl.col("dob").is_not_null() & (age < ADULT_AGE))
            .then(pl.lit("child"))
            .otherwise(pl.lit("adult"))
            .alias("role")
        )
        .select("cluster_id", "family_key", "role", "valid_from")
    )
