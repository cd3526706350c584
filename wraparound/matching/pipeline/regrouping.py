"""Regroup families only around the people an incremental run changed.

``group_families`` joins people through *blocks*:

- an agency's household reference, which joins everyone recorded with it;
- a home (postcode and address line), which joins everyone living there, and everyone
  ever recorded there who shares a family name;
- a postcode (or an address line) alone, which joins a person recorded without the other
  half of the address to the one like-named home there. Only that person and the
  like-named people at that postcode take part: the rest of the street cannot be joined
  through it, and their records do not change what it joins.

What a block joins depends only on the people taking part in it and on their own records.
So when a run changes some people (new records, people re-clustered), only the blocks
where a changed person takes part, before or after the change, can join anyone
differently. Every other block joins exactly whom it joined before, and every join it makes
stays inside one of the families already in the index.

The people to regroup (the *core*) are therefore every changed person as the run now has
them, and every member of the old families of (a) the people taking part in a block with a
changed person and (b) the changed people as they were (a family held together by a join
that is gone must be able to split). The core is regrouped by ``group_families`` together
with everyone taking part in a block with it (the *context*), so that each such block is
seen whole: the one-like-named-home rule counts every like-named home at the postcode. No
context person can end up in a core family (their joins to the core would be old joins, so
they would be in the core); that is checked, and a run where it failed would regroup the
county instead.

Household and home blocks are found from every record a person has, not only the latest,
so the core may be a little larger than it must be, never smaller.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from wraparound.matching.pipeline.families import (
    FAMILY_COLUMNS,
    family_names,
    group_families,
    latest_home,
    with_similar_names,
)

# Given people's ids: ``cluster_id, family_id`` for every member of the families they
# belong to in the index as it stands.
OldFamilies = Callable[[Sequence[str]], pl.DataFrame]
HALVES = {"postcode_std": "address_std", "address_std": "postcode_std"}
HOUSEHOLD = ["source", "household_ref"]
HOME = ["postcode_std", "address_std"]


@dataclass(frozen=True)
class RegroupedFamilies:
    """``families`` (as ``group_families`` gives them) of the people regrouped: the core,
    or the whole county when ``local`` is False."""

    families: pl.DataFrame
    local: bool
    note: str


def _ids(frame: pl.DataFrame, column: str = "cluster_id") -> pl.Series:
    return frame[column].unique()


def _among(ids: pl.Series, column: str = "cluster_id") -> pl.Expr:
    return pl.col(column).is_in(ids.implode())


def _sharing(people: pl.DataFrame, of: pl.DataFrame, key: list[str]) -> pl.Series:
    """The people with a record whose ``key`` values a record of ``of`` also has."""
    if not set(key) <= set(people.columns):
        return pl.Series("cluster_id", [], dtype=pl.Utf8)
    values = of.select(key).drop_nulls().unique()
    return _ids(people.join(values, on=key, how="semi"))


class _Blocks:
    """Who takes part in which block, for the people now and the changed ones as they were.

    Built once per run: each person's latest home, split for each half-address block into
    the people there without the other half and those fully addressed, and family names
    as they are asked for (each person's once).
    """

    def __init__(self, now: pl.DataFrame, before: pl.DataFrame) -> None:
        self.now = now
        self.both = pl.concat([now, before])
        self.was = _ids(before)  # ids of the changed people as they were
        latest = latest_home(self.both).with_columns(_among(self.was).alias("was"))
        self.people_now = latest.height - self.was.len()
        self.at: dict[str, tuple[pl.DataFrame, pl.DataFrame]] = {}
        for key, other in HALVES.items():
            there = latest.filter(pl.col(key).is_not_null()).select(
                "cluster_id",
                pl.col(key).alias("value"),
                "was",
                pl.col(other).is_null().alias("half"),
            )
            self.at[key] = (
                there.filter("half").drop("half"),
                there.filter(~pl.col("half")).drop("half"),
            )
        self._names = pl.DataFrame(schema={"cluster_id": pl.Utf8, "name": pl.Utf8})

    def names(self, ids: pl.Series) -> pl.DataFrame:
        missing = ids.to_frame("cluster_id").join(self._names, on="cluster_id", how="anti")
        if missing.height:
            rows = self.both.join(missing, on="cluster_id", how="semi")
            self._names = pl.concat([self._names, family_names(rows).select(self._names.columns)])
        return self._names.join(ids.to_frame("cluster_id"), on="cluster_id", how="semi")

    def _like_named(self, fulls: pl.DataFrame, halves: pl.DataFrame) -> pl.DataFrame:
        """``cluster_id, value`` of each of ``fulls`` with a name like a half-addressed
        person's at the same value."""
        pairs = fulls.join(halves, on="value", suffix="_r").select(
            pl.col("cluster_id").alias("record_key_l"),
            pl.col("cluster_id_r").alias("record_key_r"),
            "value",
        )
        ids = pl.concat([pairs["record_key_l"], pairs["record_key_r"]]).unique()
        alike = with_similar_names(pairs.select("record_key_l", "record_key_r"), self.names(ids))
        return pairs.join(alike, on=["record_key_l", "record_key_r"], how="semi").select(
            pl.col("record_key_l").alias("cluster_id"), "value"
        )

    def taking_part(self, key: str, who: pl.Series, *, now_only: bool) -> pl.DataFrame:
        """``cluster_id, value``: everyone taking part in each ``key``-alone block (a
        postcode, or an address line) where one of ``who`` takes part.

        Those are the people at the value recorded without the other half of the
        address, and the fully addressed people there with a family name like theirs.
        """
        half, full = self.at[key]
        if now_only:
            half, full = half.filter(~pl.col("was")), full.filter(~pl.col("was"))
        half, full = half.drop("was"), full.drop("was")
        values = pl.concat(
            [
                half.filter(_among(who))["value"],
                self._like_named(full.filter(_among(who)), half)["value"],
            ]
        ).unique()
        half_there = half.filter(_among(values, "value"))
        full_there = full.filter(_among(values, "value"))
        return pl.concat([half_there, self._like_named(full_there, half_there)]).unique()

    def people_with(self, who: pl.Series, *, now_only: bool) -> pl.Series:
        """Everyone taking part in a block with one of ``who`` (``who`` included)."""
        people = self.now if now_only else self.both
        theirs = people.filter(_among(who))
        found = [
            who,
            _sharing(people, theirs, HOUSEHOLD),
            _sharing(people, theirs, HOME),
            *(_ids(self.taking_part(key, who, now_only=now_only)) for key in HALVES),
        ]
        return pl.concat(found).unique()


def regroup_around(
    records: pl.DataFrame,
    clusters: pl.DataFrame,
    *,
    old_clusters: pl.DataFrame,
    changed_records: pl.Series,
    old_families: OldFamilies,
    as_of: date | None = None,
) -> RegroupedFamilies:
    """Families for the people a run changed and everyone whose family they could change.

    ``records`` and ``clusters`` are as for ``group_families`` (every current record, each
    with its person now). ``changed_records`` are the records the run re-clustered (their
    people are the changed people), and ``old_clusters`` the ``record_key, cluster_id`` of
    those that were in the index before, with the ids their people had then.
    """
    columns = [name for name in FAMILY_COLUMNS if name in records.columns]
    people = records.select(columns).join(
        clusters.select("record_key", "cluster_id"), on="record_key"
    )
    changed_keys = changed_records.to_frame("record_key")
    before = people.drop("cluster_id").join(
        old_clusters.select("record_key", "cluster_id").join(
            changed_keys, on="record_key", how="semi"
        ),
        on="record_key",
    )
    changed = _ids(people.join(changed_keys, on="record_key", how="semi"))
    blocks = _Blocks(people, before)
    reached = blocks.people_with(pl.concat([changed, blocks.was]).unique(), now_only=False)
    # the changed people as they are now are not in the index yet: ask only for the others
    old = old_families(reached.filter(~reached.is_in(changed.implode())).to_list())
    core = pl.concat(
        [old.join(people, on="cluster_id", how="semi")["cluster_id"], changed]
    ).unique()
    around = blocks.people_with(core, now_only=True)
    scope = clusters.filter(_among(around))
    families = group_families(
        records.join(scope.select("record_key"), on="record_key", how="semi"), scope, as_of=as_of
    )
    in_core = _among(core)
    leaked = families.filter(
        _among(_ids(families.filter(in_core), "family_key"), "family_key") & ~in_core
    )
    if not leaked.is_empty():
        return RegroupedFamilies(
            families=group_families(records, clusters, as_of=as_of),
            local=False,
            note=(
                f"families regrouped county-wide: {leaked.height} person(s) outside the "
                "people to regroup joined their families"
            ),
        )
    return RegroupedFamilies(
        families=families.filter(in_core),
        local=True,
        note=(
            f"families regrouped around {core.len():,} of {blocks.people_now:,} people "
            f"({changed.len():,} changed)"
        ),
    )
