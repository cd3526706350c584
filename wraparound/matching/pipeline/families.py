"""Group people into families from what agencies recorded about households.

Three kinds of evidence join people, each chosen because it rarely joins strangers:

- an agency's own household or case reference shared by their records (a school's family
  id, a housing tenancy, an early-help case);
- the same home (address line and postcode) at their most recent record;
- the same home at *any* time, when the two also share a family name: a family that moved
  is known at the old address to one agency and at the new one to another, and the
  person records that bridge the two carry both. The surname guard keeps a family that
  moved in from joining the one that moved out.

People known only by a postcode (a children's centre records no address) join a person
fully addressed at that postcode whose family names are like theirs. Family names are every
surname a person was recorded with and each part of a double-barrelled one, compared with
Jaro-Winkler similarity so that a mis-keyed "Younng" still finds "Young". People are the
clusters from linkage; families are connected components over these joins.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from wraparound.matching.pipeline.clusters import cluster_records
from wraparound.matching.pipeline.standardise import name_tokens

ADULT_AGE = 18
# Jaro-Winkler at or above this is a typo or transposition of the same surname
# ("younng"/"young" 0.97, "daives"/"davies" 0.96), below it a different name ("hill"/"hall" 0.87).
SURNAME_SIMILARITY = 0.92
PAIR_SCHEMA = {"record_key_l": pl.Utf8, "record_key_r": pl.Utf8}
# The standardised columns the family rules read.
FAMILY_COLUMNS = (
    "record_key",
    "source",
    "household_ref",
    "surname",
    "surname_std",
    "dob",
    "recorded_at",
    "postcode_std",
    "address_std",
)


def _edges_from_groups(frame: pl.DataFrame, group: list[str]) -> pl.DataFrame:
    """Join every person in a group to the group's first person (a star is enough)."""
    members = frame.drop_nulls(group).unique(subset=[*group, "cluster_id"])
    first = members.group_by(group).agg(pl.col("cluster_id").min().alias("anchor"))
    return (
        members.join(first, on=group)
        .filter(pl.col("cluster_id") != pl.col("anchor"))
        .select(pl.col("cluster_id").alias("record_key_l"), pl.col("anchor").alias("record_key_r"))
    )


def family_names(people: pl.DataFrame) -> pl.DataFrame:
    """``cluster_id, name``: every surname each person was recorded with, whole and by part."""
    parts = (
        people.select(
            "cluster_id",
            name_tokens("surname").str.split(" ").alias("name"),
        )
        .explode("name")
        .filter(pl.col("name").str.len_chars() >= 2)
    )
    whole = people.select("cluster_id", pl.col("surname_std").alias("name")).drop_nulls()
    return pl.concat([whole, parts]).unique()


def with_similar_names(candidates: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    """The candidate pairs (``record_key_l, record_key_r``) whose family names are alike."""
    if candidates.is_empty():
        return pl.DataFrame(schema=PAIR_SCHEMA)
    with duckdb.connect() as engine:
        engine.register("candidates", candidates.to_arrow())
        engine.register("names", names.to_arrow())
        return engine.execute(
            """
            select distinct c.record_key_l, c.record_key_r
            from candidates c
            join names l on l.cluster_id = c.record_key_l
            join names r on r.cluster_id = c.record_key_r
            where l.name = r.name or jaro_winkler_similarity(l.name, r.name) >= ?
            """,
            [SURNAME_SIMILARITY],
        ).pl()


def _pairs_sharing(frame: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    """Every pair of different people with the same ``key`` values."""
    members = frame.drop_nulls(key).unique(subset=[*key, "cluster_id"]).select(*key, "cluster_id")
    return (
        members.join(members, on=key, suffix="_r")
        .filter(pl.col("cluster_id") < pl.col("cluster_id_r"))
        .select(
            pl.col("cluster_id").alias("record_key_l"),
            pl.col("cluster_id_r").alias("record_key_r"),
        )
        .unique()
    )


def _unambiguous_homes(
    partial: pl.DataFrame, full: pl.DataFrame, names: pl.DataFrame, key: list[str]
) -> pl.DataFrame:
    """Each partially addressed person's one like-named home at ``key``, if only one.

    Two homes at a postcode with like names (two Smith households in one street) leave the
    person unplaced rather than joining both households through them.
    """
    candidates = (
        partial.drop_nulls(key)
        .select(*key, "cluster_id")
        .join(full.drop_nulls(key).select(*key, "cluster_id", "home"), on=key, suffix="_r")
        .select(
            pl.col("cluster_id").alias("record_key_l"),
            pl.col("cluster_id_r").alias("record_key_r"),
            "home",
        )
    )
    alike = with_similar_names(candidates.select("record_key_l", "record_key_r"), names)
    placed = candidates.join(alike, on=["record_key_l", "record_key_r"])
    homes = placed.group_by("record_key_l").agg(
        pl.col("home").n_unique().alias("homes"), pl.col("record_key_r").min()
    )
    return homes.filter(pl.col("homes") == 1).select("record_key_l", "record_key_r")


def _attach_partial_homes(home: pl.DataFrame, names: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    """Place people known only by postcode (or only by address line) with a relative.

    A children's centre may record only a postcode: such a person joins the one household
    there with a family name like theirs, or failing that, other unplaced people of a like
    name at the same postcode (siblings known to the same centre). Only people *lacking* a
    full home are attached this way: joining fully addressed people by postcode and surname
    would chain neighbouring families of a common surname into one.
    """
    addressed = pl.col("address_std").is_not_null() & pl.col("postcode_std").is_not_null()
    full = home.filter(addressed).with_columns(
        pl.concat_str("postcode_std", "address_std", separator="|").alias("home")
    )
    partial = home.filter(~addressed)
    to_homes = _unambiguous_homes(partial, full, names, key)
    unplaced = partial.join(
        to_homes.select(pl.col("record_key_l").alias("cluster_id")), on="cluster_id", how="anti"
    )
    return pl.concat([to_homes, with_similar_names(_pairs_sharing(unplaced, key), names)])


def latest_home(people: pl.DataFrame) -> pl.DataFrame:
    """Each person's most recently recorded postcode and address line."""
    ordered = people.sort("recorded_at", nulls_last=False).group_by("cluster_id")
    return ordered.agg(
        pl.col("postcode_std").drop_nulls().last(),
        pl.col("address_std").drop_nulls().last(),
    )


def _earlier_homes(people: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    """People recorded at one home at any time who also share a family name."""
    homes = people.filter(
        pl.col("address_std").is_not_null() & pl.col("postcode_std").is_not_null()
    )
    return with_similar_names(_pairs_sharing(homes, ["postcode_std", "address_std"]), names)


def group_families(
    records: pl.DataFrame, clusters: pl.DataFrame, *, as_of: date | None = None
) -> pl.DataFrame:
    """``person (cluster_id), family (family_key), role, valid_from`` per person.

    ``records`` is the standardised frame (``standardise_records``); ``clusters`` maps each
    record_key to its person's cluster_id.
    """
    as_of = as_of or date.today()
    columns = [name for name in FAMILY_COLUMNS if name in records.columns]
    people = records.select(columns).join(
        clusters.select("record_key", "cluster_id"), on="record_key"
    )
    by_reference = _edges_from_groups(
        people.with_columns(
            pl.when(pl.col("household_ref").is_not_null())
            .then(pl.col("source") + "|" + pl.col("household_ref"))
            .alias("household")
        ),
        ["household"],
    )
    names = family_names(people)
    home = latest_home(people)
    edges = pl.concat(
        [
            by_reference,
            _edges_from_groups(home, ["postcode_std", "address_std"]),
            _earlier_homes(people, names),
            _attach_partial_homes(home, names, ["postcode_std"]),
            _attach_partial_homes(home, names, ["address_std"]),
        ]
    )
    person_ids = people["cluster_id"].unique().sort()
    families = cluster_records(person_ids, edges)
    details = people.group_by("cluster_id").agg(
        # the commonest date of birth, the earliest of a tie: mode() lists ties in no set
        # order, so .first() alone gave a person a different role from run to run
        pl.col("dob").drop_nulls().mode().min().alias("dob"),
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
