"""Write a linkage result into the master index, changing only the rows that differ.

The pipeline (pure, polars) says which records are one person and which people are one
family; this module turns that into Person / PersonRecordLink / Family / FamilyMembership
/ ReviewPair rows in one transaction. Ids are carried forward by majority overlap with
the previous index (see ``pipeline.identity``), so other apps' references survive.

Only what changed is written: a link whose person, probability and reason are unchanged
is left alone, as is a membership whose family, role and start are unchanged. A re-run
that finds the same people writes (almost) nothing, and an incremental run, whose result
covers only the records it re-clustered (``IndexScope``), touches only those.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from wraparound.matching import index_version
from wraparound.matching.index_families import save_families
from wraparound.matching.index_tables import (
    add_rows,
    assign_ids,
    delete_ids,
    insert_rows,
    keys_table,
    quoted,
    read_frame,
    retire_unused,
    update_rows,
)
from wraparound.matching.models import (
    Family,
    FamilyMembership,
    LinkageRun,
    Person,
    PersonRecordLink,
    ReviewPair,
    ReviewStatus,
)
from wraparound.matching.pipeline import LinkageResult
from wraparound.matching.pipeline.clusters import PairKey, pair_key
from wraparound.matching.pipeline.identity import best_links

PERSON = Person._meta.db_table
LINK = PersonRecordLink._meta.db_table
FAMILY = Family._meta.db_table
MEMBERSHIP = FamilyMembership._meta.db_table
LINK_SCHEMA = {
    "id": pl.Int64,
    "record_key": pl.Utf8,
    "person_id": pl.Int64,
    "public_id": pl.Utf8,
    "retired": pl.Int8,
    "match_probability": pl.Float64,
    "why": pl.Utf8,
}


@dataclass(frozen=True)
class IndexCounts:
    people: int
    families: int
    new_people: int
    retired_people: int
    review_pairs: int
    rows_written: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class IndexScope:
    """Which part of the index a result replaces.

    ``whole``: the result covers every current record (a full run); links of other
    records are deleted and people no record points to are retired. Otherwise only the
    records of ``result.clusters`` are re-linked, and the records in ``removed`` (their
    extract is no longer current) lose their links.
    """

    whole: bool = True
    removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class SavedIndex:
    counts: IndexCounts
    person_of_cluster: dict[str, str]  # the result's cluster ids -> person public ids


def _links(keys: list[str] | None) -> pl.DataFrame:
    """Current links (all, or of ``keys``) with their person's public id."""
    columns = (
        "SELECT l.id, l.record_key, l.person_id, p.public_id, "
        "CASE WHEN p.retired_at IS NULL THEN 0 ELSE 1 END, l.match_probability, "
        "CAST(l.why AS TEXT)"
    )
    people = f"JOIN {quoted(PERSON)} p ON p.id = l.person_id"
    if keys is None:
        return read_frame(f"{columns} FROM {quoted(LINK)} l {people}", [], LINK_SCHEMA)
    with keys_table(keys) as table:  # keys first: see keys_table
        sql = (
            f"{columns} FROM {table} k CROSS JOIN {quoted(LINK)} l {people} "
            f"WHERE l.record_key = k.k"
        )
        return read_frame(sql, [], LINK_SCHEMA)


def _desired_links(
    result: LinkageResult, people: pl.DataFrame, previous: pl.DataFrame, scope: IndexScope
) -> pl.DataFrame:
    """``record_key, person_id, match_probability, why`` for every record of the result.

    A full run gives each record its strongest pair inside its person. An incremental run
    scored only pairs with a new record, so an existing record keeps its stored reason
    unless one of those pairs is stronger.
    """
    best = best_links(
        result.pairs,
        result.clusters,
        result.why_labels,
        jsonb_order=connection.vendor == "postgresql",
    )
    desired = (
        result.clusters.select("record_key", "cluster_id")
        .join(people, on="cluster_id")
        .join(best, on="record_key", how="left")
    )
    if scope.whole:
        return desired.with_columns(pl.col("why").fill_null("{}"))
    before = previous.select(
        "record_key", pl.col("match_probability").alias("_p"), pl.col("why").alias("_why")
    )
    stronger = pl.col("match_probability").is_not_null() & (
        pl.col("_p").is_null() | (pl.col("match_probability") > pl.col("_p"))
    )
    return (
        desired.join(before, on="record_key", how="left")
        .with_columns(
            pl.when(stronger).then("match_probability").otherwise("_p").alias("match_probability"),
            pl.when(stronger).then("why").otherwise(pl.col("_why")).fill_null("{}").alias("why"),
        )
        .drop("_p", "_why")
    )


PROBABILITY_TOLERANCE = 1e-9


def _write_links(
    desired: pl.DataFrame, previous: pl.DataFrame, gone: list[int], run: LinkageRun, now: Any
) -> dict[str, int]:
    both = desired.join(
        previous.select("id", "record_key", "person_id", "match_probability", "why"),
        on="record_key",
        how="left",
        suffix="_old",
    )
    # A probability that moved only in its last bits (DuckDB sums in parallel, so the same
    # model on the same records can differ by one ulp) is not a change worth a write.
    old_p, new_p = pl.col("match_probability_old"), pl.col("match_probability")
    probability_moved = (new_p.is_null() != old_p.is_null()) | (
        (new_p - old_p).abs() > PROBABILITY_TOLERANCE
    ).fill_null(False)
    changed = (
        (pl.col("person_id") != pl.col("person_id_old"))
        | probability_moved
        | (pl.col("why") != pl.col("why_old"))
    )
    columns = ["person_id", "match_probability", "why"]
    # in key order, so each index is written page by page rather than at random
    new = both.filter(pl.col("id").is_null()).select(*columns, "record_key").sort("record_key")
    moved = both.filter(pl.col("id").is_not_null() & changed).select(*columns, "id").sort("id")
    stamp = (run.pk, now)
    return {
        "links_deleted": delete_ids(LINK, gone),
        "links_updated": update_rows(
            LINK,
            [*columns, "run_id", "linked_at"],
            [(*row[:-1], *stamp, row[-1]) for row in moved.rows()],
        ),
        "links_inserted": insert_rows(
            LINK, [*new.columns, "run_id", "linked_at"], [(*row, *stamp) for row in new.rows()]
        ),
    }


def _save_people(
    result: LinkageResult, run: LinkageRun, scope: IndexScope, now: Any
) -> tuple[pl.DataFrame, dict[str, int]]:
    """People and links; returns ``cluster_id, public_id, pk`` for the result's clusters."""
    clusters = result.clusters.select("record_key", "cluster_id")
    if scope.whole:
        everything = _links(None)
        previous = everything.join(clusters, on="record_key", how="semi")
        gone = everything.join(clusters, on="record_key", how="anti")
    else:
        previous = _links(clusters["record_key"].to_list())
        gone = _links(list(scope.removed))
    ids = assign_ids(
        clusters.select(pl.col("record_key").alias("member"), pl.col("cluster_id").alias("group")),
        previous.select(pl.col("record_key").alias("member"), "public_id"),
        PERSON,
        "P",
    )
    known = (
        pl.concat([previous, gone])
        .select("public_id", pl.col("person_id").alias("pk"), "retired")
        .unique("public_id")
    )
    pks = add_rows(PERSON, ids, known, now)
    people = ids.join(pks, on="public_id").select(
        pl.col("group").alias("cluster_id"), "public_id", pl.col("pk").alias("person_id")
    )
    desired = _desired_links(result, people.select("cluster_id", "person_id"), previous, scope)
    written = _write_links(desired, previous, gone["id"].to_list(), run, now)
    if scope.whole:
        active = read_frame(
            f"SELECT id FROM {quoted(PERSON)} WHERE retired_at IS NULL",  # noqa: S608
            [],
            {"pk": pl.Int64},
        )
        candidates = active.join(pks, on="pk", how="anti")["pk"].to_list()
    else:
        candidates = pl.concat([previous, gone])["person_id"].unique().to_list()
    written["people_created"] = pks.height - known.join(pks, on="public_id", how="semi").height
    written["people_retired"] = retire_unused(PERSON, LINK, "person_id", candidates, now)
    return people.select("cluster_id", "public_id", pl.col("person_id").alias("pk")), written


def _save_review_queue(
    result: LinkageResult,
    run: LinkageRun,
    decided: set[PairKey],
    scope: IndexScope,
    person_of: dict[str, str],
) -> int:
    """The questions of this run. A full run asks exactly its own questions (others
    become obsolete); an incremental run adds its questions, and retires only those whose
    two records it has now put in one person."""
    existing = {
        (left, right): (pk, status)
        for left, right, pk, status in ReviewPair.objects.values_list(
            "record_key_l", "record_key_r", "pk", "status"
        )
    }
    wanted: dict[PairKey, dict[str, object]] = {}
    for row in result.review_pairs.iter_rows(named=True):
        key = pair_key(row["record_key_l"], row["record_key_r"])
        if key not in decided:
            wanted.setdefault(key, row)
    pending = [k for k, (_, status) in existing.items() if status == ReviewStatus.PENDING]
    if scope.whole:
        obsolete = [existing[k][0] for k in pending if k not in wanted]
    else:
        joined = [
            k for k in pending if person_of.get(k[0]) and person_of.get(k[0]) == person_of.get(k[1])
        ]
        obsolete = [existing[k][0] for k in joined if k not in wanted]
    for start in range(0, len(obsolete), 5000):
        ReviewPair.objects.filter(pk__in=obsolete[start : start + 5000]).update(
            status=ReviewStatus.OBSOLETE
        )
    revive = [
        existing[k][0] for k in wanted if k in existing and existing[k][1] == ReviewStatus.OBSOLETE
    ]
    for start in range(0, len(revive), 5000):
        ReviewPair.objects.filter(pk__in=revive[start : start + 5000]).update(
            status=ReviewStatus.PENDING, run=run
        )
    create = [
        ReviewPair(
            record_key_l=key[0],
            record_key_r=key[1],
            match_probability=float(row["match_probability"]),  # type: ignore[arg-type]
            why=result.why(row),
            run=run,
        )
        for key, row in wanted.items()
        if key not in existing
    ]
    ReviewPair.objects.bulk_create(create, batch_size=5000)
    return ReviewPair.objects.filter(status=ReviewStatus.PENDING).count()


def _count_active(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {quoted(table)} WHERE retired_at IS NULL")  # noqa: S608
        return int(cursor.fetchone()[0])


@contextmanager
def _room_for_a_county() -> Iterator[None]:
    """On SQLite, a page cache (256 MB) for the index pages a county's rows touch, for
    this write only; SQLite's default of 2 MB re-reads each page from disk."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        default = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(default)}")


def save_index(
    *,
    result: LinkageResult,
    families: pl.DataFrame,
    run: LinkageRun,
    decided: set[PairKey],
    read_version: int,
    scope: IndexScope | None = None,
    families_replacing: pl.DataFrame | None = None,
) -> SavedIndex:
    """Write ``result`` and ``families`` in one transaction, carrying ids forward and
    leaving unchanged rows alone.

    ``read_version`` is the index's version (``index_version.current()``) before the run
    read anything: if the index has been written since, nothing is saved and
    ``IndexChangedError`` says why. ``families`` is every person's family, or only those of
    the people regrouped, whose families' memberships ``families_replacing`` holds (see
    ``save_families``)."""
    scope = scope or IndexScope()
    # adapted once: a datetime per row costs the database driver a conversion per row
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with _room_for_a_county(), transaction.atomic():
        index_version.advance(expected=read_version)
        people, written = _save_people(result, run, scope, now)
        written |= save_families(families, people, now, replacing=families_replacing)
        person_of = dict(
            result.clusters.join(people, on="cluster_id")
            .select("record_key", "public_id")
            .iter_rows()
        )
        queued = _save_review_queue(result, run, decided, scope, person_of)
        counts = IndexCounts(
            people=_count_active(PERSON),
            families=_count_active(FAMILY),
            new_people=written["people_created"],
            retired_people=written["people_retired"],
            review_pairs=queued,
            rows_written=written,
        )
    return SavedIndex(counts, dict(people.select("cluster_id", "public_id").iter_rows()))
