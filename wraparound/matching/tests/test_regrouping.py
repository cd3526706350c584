"""An incremental run regroups families only around the people it changed, and ends with
exactly the families a county-wide regroup would give."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date

import polars as pl
import pytest

from wraparound.matching.pipeline.families import group_families
from wraparound.matching.pipeline.regrouping import OldFamilies, RegroupedFamilies, regroup_around
from wraparound.matching.pipeline.standardise import standardise_records
from wraparound.matching.tests.fake_people import fake_records

pytestmark = pytest.mark.pipeline
AS_OF = date(2026, 1, 1)
NEW_SOURCE = "police:nominals"


def _county(seed: int, households: int = 120) -> pl.DataFrame:
    """Fake records made harder to group: few postcodes (neighbours share them), and some
    records with only a postcode, only an address line, or no household reference."""
    rng = random.Random(seed)
    postcodes = [f"YH{n} {n % 9 + 1}AB" for n in range(1, 41)]
    raw = fake_records(households, seed=seed)
    rows = []
    for row in raw.iter_rows(named=True):
        if row["source"] == NEW_SOURCE and rng.random() < 0.85:
            continue  # the new extract knows a few of the county's people
        family = int(str(row["family_id"])[1:])
        row["postcode"] = postcodes[(family * 7 + (rng.random() < 0.1)) % len(postcodes)]
        roll = rng.random()
        if roll < 0.15:
            row["address_line"] = None
        elif roll < 0.22:
            row["postcode"] = None
        if rng.random() < 0.4:
            row["household_ref"] = None
        rows.append(row)
    return pl.DataFrame(rows, schema=raw.schema)


def _partition(families: pl.DataFrame) -> set[frozenset[str]]:
    grouped = families.group_by("family_key").agg(pl.col("cluster_id"))
    return {frozenset(members) for members in grouped["cluster_id"].to_list()}


def _scenario(seed: int) -> dict[str, pl.DataFrame]:
    """The index before a new extract arrives, and the people after linking it: everyone a
    new record reached is re-clustered under a new id, with one mistaken merge and one
    split among them, as a real run might make."""
    raw = _county(seed)
    records = standardise_records(raw.drop("person_id", "family_id"))
    person = raw.select("record_key", "person_id")
    old_keys = raw.filter(pl.col("source") != NEW_SOURCE)["record_key"]
    old_clusters = person.filter(pl.col("record_key").is_in(old_keys.implode())).select(
        "record_key", ("old:" + pl.col("person_id")).alias("cluster_id")
    )
    old_families = group_families(
        records.filter(pl.col("record_key").is_in(old_keys.implode())), old_clusters, as_of=AS_OF
    )
    reached = sorted(set(raw.filter(pl.col("source") == NEW_SOURCE)["person_id"].to_list()))
    reached, unreached_people = reached[3:], reached[:3]
    merged_into = {reached[1]: reached[0]}
    split = reached[2]
    new_label = (
        pl.when(pl.col("person_id").is_in(list(merged_into)))
        .then(pl.col("person_id").replace(merged_into))
        .otherwise("person_id")
    )
    changed = person.filter(pl.col("person_id").is_in(reached))
    keys_of_split = changed.filter(pl.col("person_id") == split)["record_key"].to_list()
    new_clusters = pl.concat(
        [
            changed.select(
                "record_key",
                pl.when(pl.col("record_key") == keys_of_split[0])
                .then(pl.lit("new:split"))
                .otherwise("new:" + new_label)
                .alias("cluster_id"),
            ),
            old_clusters.join(changed, on="record_key", how="anti"),
        ]
    )
    # a few new records are linked to nobody: they are new people
    unreached = raw.filter(
        (pl.col("source") == NEW_SOURCE) & pl.col("person_id").is_in(unreached_people)
    ).select("record_key", ("lone:" + pl.col("record_key")).alias("cluster_id"))
    new_clusters = pl.concat([new_clusters, unreached])
    changed_records = pl.concat([changed.select("record_key"), unreached.select("record_key")])
    return {
        "records": records,
        "old_families": old_families,
        "old_clusters": old_clusters,
        "new_clusters": new_clusters,
        "changed_records": changed_records,
    }


def _street(rows: list[dict[str, str]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Standardised records (source: the key's first letter) and one person per record."""
    records = standardise_records(
        pl.DataFrame(
            [
                {"source": row["record_key"][0], "recorded_at": date(2025, 1, 1), **row}
                for row in rows
            ],
            infer_schema_length=None,
        )
    )
    return records, records.select("record_key", pl.col("record_key").alias("cluster_id"))


def _arrive(rows: list[dict[str, str]]) -> tuple[RegroupedFamilies, pl.DataFrame, OldFamilies]:
    """Records keyed ``a:`` are in the index (one person each, grouped into families);
    those keyed ``b:`` arrive in a new extract, each a new person. The regrouping, the
    families before, and the reader it asked the index through."""
    records, clusters = _street(rows)
    old = pl.col("record_key").str.starts_with("a:")
    before = group_families(records.filter(old), clusters.filter(old), as_of=AS_OF)
    reader = _reader(before)
    regrouped = regroup_around(
        records,
        clusters,
        old_clusters=clusters.clear(),
        changed_records=records.filter(~old)["record_key"],
        old_families=reader,
        as_of=AS_OF,
    )
    return regrouped, before, reader


def _reader(old_families: pl.DataFrame) -> OldFamilies:
    """The index's families as ``regroup_around`` reads them, with the people asked about."""

    def members(people: Sequence[str]) -> pl.DataFrame:
        asked.extend(people)
        theirs = old_families.filter(pl.col("cluster_id").is_in(list(people)))["family_key"]
        return old_families.filter(pl.col("family_key").is_in(theirs.implode())).select(
            "cluster_id", pl.col("family_key").alias("family_id")
        )

    asked: list[str] = []
    members.asked = asked  # type: ignore[attr-defined]
    return members


@pytest.mark.parametrize("seed", [3, 11, 29, 47])
def test_regrouping_around_the_changed_people_gives_the_county_wide_families(seed: int) -> None:
    case = _scenario(seed)
    records, clusters = case["records"], case["new_clusters"]
    old_families = case["old_families"]
    everywhere = group_families(records, clusters, as_of=AS_OF)

    regrouped = regroup_around(
        records,
        clusters,
        old_clusters=case["old_clusters"],
        changed_records=case["changed_records"]["record_key"],
        old_families=_reader(old_families),
        as_of=AS_OF,
    )

    assert regrouped.local, regrouped.note
    regrouped_people = set(regrouped.families["cluster_id"].to_list())
    assert len(regrouped_people) < everywhere.height, "only part of the county is regrouped"
    kept = old_families.filter(
        ~pl.col("cluster_id").is_in(sorted(regrouped_people))
        & pl.col("cluster_id").is_in(clusters["cluster_id"].implode())
    )
    assert _partition(pl.concat([kept, regrouped.families.select(kept.columns)])) == _partition(
        everywhere
    )
    roles = everywhere.join(regrouped.families, on="cluster_id", suffix="_now")
    assert (roles["role"] == roles["role_now"]).all()


def test_a_new_home_at_a_postcode_unplaces_a_postcode_only_child_it_never_met() -> None:
    """The child and the new household share no record, only a postcode: the second
    like-named home there makes the child's home ambiguous, so the child must leave the
    family it was placed in, though nobody in that family changed."""
    rows = [
        {"record_key": "a:mum", "surname": "Ward", "postcode": "YH1 1AA", "address_line": "3 Elm Road"},
        {"record_key": "a:kid", "surname": "Ward", "postcode": "YH1 1AA"},
        {"record_key": "b:dad", "surname": "Ward", "postcode": "YH1 1AA", "address_line": "9 Elm Road"},
    ]  # fmt: skip
    regrouped, before, _ = _arrive(rows)
    assert before["family_key"].n_unique() == 1, "alone at the postcode, the child is placed"

    assert regrouped.local
    family = dict(regrouped.families.select("cluster_id", "family_key").iter_rows())
    assert family["a:kid"] != family["a:mum"]


def test_a_home_outside_the_people_regrouped_still_counts_at_their_postcode() -> None:
    """The child (postcode only) has two like-named homes at YH1 1AA, so joins neither. New
    records reach the child's family and the family at one of the homes, not the other:
    the other home must still be counted, or the child would join two families."""
    rows = [
        # the child, and a relative at another home by an agency's household reference
        {"record_key": "a:kid", "surname": "Ward", "postcode": "YH1 1AA", "household_ref": "k"},
        {"record_key": "a:aunt", "surname": "Cole", "postcode": "YH3 3CC",
         "address_line": "5 Ash Lane", "household_ref": "k"},
        # one Ward home at the child's postcode, with a relative elsewhere
        {"record_key": "a:x", "surname": "Ward", "postcode": "YH1 1AA",
         "address_line": "1 Elm Road", "household_ref": "x"},
        {"record_key": "a:v", "surname": "Hart", "postcode": "YH4 4DD",
         "address_line": "8 Yew Close", "household_ref": "x"},
        # the other Ward home there, which no new record reaches
        {"record_key": "a:y", "surname": "Ward", "postcode": "YH1 1AA", "address_line": "2 Elm Road"},
        # new records: a lodger at the aunt's home and one at the relative's
        {"record_key": "b:n", "surname": "Lane", "postcode": "YH3 3CC", "address_line": "5 Ash Lane"},
        {"record_key": "b:m", "surname": "Moss", "postcode": "YH4 4DD", "address_line": "8 Yew Close"},
    ]  # fmt: skip
    regrouped, _, _ = _arrive(rows)

    assert regrouped.local
    assert "a:y" not in set(regrouped.families["cluster_id"].to_list()), "no change reaches y"
    assert _partition(regrouped.families) == {
        frozenset({"a:kid", "a:aunt", "b:n"}),
        frozenset({"a:x", "a:v", "b:m"}),
    }


def test_a_newcomer_to_a_street_regroups_only_those_who_could_be_joined_to_them() -> None:
    """A postcode joins only the people recorded there without an address line to the
    like-named homes there: a newcomer of another name takes part in no such join, so the
    families already at the postcode are left as they are."""
    rows = [
        {"record_key": "a:mum", "surname": "Ward", "postcode": "YH1 1AA", "address_line": "3 Elm Road"},
        {"record_key": "a:kid", "surname": "Ward", "postcode": "YH1 1AA"},
        {"record_key": "a:hart", "surname": "Hart", "postcode": "YH1 1AA", "address_line": "5 Elm Road"},
        {"record_key": "b:lane", "surname": "Lane", "postcode": "YH1 1AA", "address_line": "7 Elm Road"},
    ]  # fmt: skip
    regrouped, _, reader = _arrive(rows)

    assert regrouped.local
    assert regrouped.families["cluster_id"].to_list() == ["b:lane"]
    assert reader.asked == [], "no family at the postcode is even read"  # type: ignore[attr-defined]
