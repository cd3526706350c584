"""Write a linkage result into the master index, keeping public ids stable.

The pipeline (pure, polars) says which records are one person and which people are one
family; this module turns that into Person / PersonRecordLink / Family / FamilyMembership
/ ReviewPair rows in one transaction. Ids are carried forward by majority overlap with
the previous index (see ``pipeline.identity``), so other apps' references survive.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from wraparound.matching.models import (
    Family,
    FamilyMembership,
    LinkageRun,
    Person,
    PersonRecordLink,
    ReviewPair,
    ReviewStatus,
    new_public_id,
)
from wraparound.matching.pipeline import LinkageResult
from wraparound.matching.pipeline.clusters import PairKey, pair_key
from wraparound.matching.pipeline.identity import best_link_per_record, carry_forward_ids

BATCH = 5000


@dataclass(frozen=True)
class IndexCounts:
    people: int
    families: int
    new_people: int
    retired_people: int
    review_pairs: int


def _frame(rows: Iterable[tuple[Any, ...]], names: list[str]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=dict.fromkeys(names, pl.Utf8), orient="row")


def _assign_ids(groups: pl.DataFrame, previous: pl.DataFrame, prefix: str) -> dict[str, str]:
    """group -> public id, new ids minted for groups nothing carries forward to."""
    carried = carry_forward_ids(groups, previous)
    result: dict[str, str] = {}
    used = set(carried["public_id"].drop_nulls().to_list())
    for group, public_id in carried.iter_rows():
        if public_id is None:
            public_id = new_public_id(prefix)
            while public_id in used:
                public_id = new_public_id(prefix)
            used.add(public_id)
        result[group] = public_id
    return result


def _sync_rows(model: Any, wanted: set[str]) -> tuple[dict[str, int], int, int]:
    """Create missing rows, retire unused ones; return public_id -> pk, created, retired.

    ``model`` is Person or Family (both have ``public_id`` and ``retired_at``).
    """
    now = timezone.now()
    existing = dict(model.objects.values_list("public_id", "pk"))
    missing = [model(public_id=public_id) for public_id in wanted - existing.keys()]
    model.objects.bulk_create(missing, batch_size=BATCH)
    unused = [pk for public_id, pk in existing.items() if public_id not in wanted]
    for start in range(0, len(unused), BATCH):
        model.objects.filter(pk__in=unused[start : start + BATCH], retired_at__isnull=True).update(
            retired_at=now
        )
    revived = [existing[p] for p in wanted if p in existing]
    for start in range(0, len(revived), BATCH):
        model.objects.filter(
            pk__in=revived[start : start + BATCH], retired_at__isnull=False
        ).update(retired_at=None)
    ids = dict(model.objects.values_list("public_id", "pk"))
    return ids, len(missing), len(unused)


def _save_people(result: LinkageResult, run: LinkageRun) -> tuple[dict[str, str], int, int]:
    previous = _frame(
        PersonRecordLink.objects.values_list("record_key", "person__public_id"),
        ["member", "public_id"],
    )
    groups = result.clusters.select(
        pl.col("record_key").alias("member"), pl.col("cluster_id").alias("group")
    )
    person_of_cluster = _assign_ids(groups, previous, "P")
    pks, created, retired = _sync_rows(Person, set(person_of_cluster.values()))
    best = {
        row["record_key"]: row
        for row in best_link_per_record(result.pairs, result.clusters).iter_rows(named=True)
    }
    PersonRecordLink.objects.all().delete()
    now = timezone.now()
    rows = []
    for record_key, cluster_id in result.clusters.select("record_key", "cluster_id").iter_rows():
        pair = best.get(record_key)
        rows.append(
            (
                pks[person_of_cluster[cluster_id]],
                record_key,
                None if pair is None else float(pair["match_probability"]),
                json.dumps({} if pair is None else result.why(pair)),
                run.pk,
                now,
            )
        )
    _insert_rows(
        PersonRecordLink,
        ["person_id", "record_key", "match_probability", "why", "run_id", "linked_at"],
        rows,
    )
    return person_of_cluster, created, retired


def _insert_rows(model: Any, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Plain multi-row INSERTs: a county's links are too many for model instances."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608 - names are ours
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


def _save_families(families: pl.DataFrame, person_of_cluster: dict[str, str]) -> int:
    members = families.with_columns(
        pl.col("cluster_id").replace_strict(person_of_cluster).alias("member")
    )
    previous = _frame(
        FamilyMembership.objects.values_list("person__public_id", "family__public_id"),
        ["member", "public_id"],
    )
    family_of_group = _assign_ids(
        members.select("member", pl.col("family_key").alias("group")), previous, "F"
    )
    family_pks, _, _ = _sync_rows(Family, set(family_of_group.values()))
    person_pks = dict(Person.objects.values_list("public_id", "pk"))
    FamilyMembership.objects.all().delete()
    _insert_rows(
        FamilyMembership,
        ["family_id", "person_id", "role", "valid_from", "evidence"],
        [
            (
                family_pks[family_of_group[row["family_key"]]],
                person_pks[row["member"]],
                row["role"],
                row["valid_from"],
                "{}",
            )
            for row in members.iter_rows(named=True)
        ],
    )
    return len(family_of_group)


def _save_review_queue(result: LinkageResult, run: LinkageRun, decided: set[PairKey]) -> int:
    existing = {
        (left, right): pk
        for left, right, pk in ReviewPair.objects.values_list("record_key_l", "record_key_r", "pk")
    }
    ReviewPair.objects.filter(status=ReviewStatus.PENDING).update(status=ReviewStatus.OBSOLETE)
    create, revive = [], []
    for row in result.review_pairs.iter_rows(named=True):
        key = pair_key(row["record_key_l"], row["record_key_r"])
        if key in decided:
            continue
        if key in existing:
            revive.append(existing[key])
            continue
        create.append(
            ReviewPair(
                record_key_l=key[0],
                record_key_r=key[1],
                match_probability=float(row["match_probability"]),
                why=result.why(row),
                run=run,
            )
        )
    ReviewPair.objects.bulk_create(create, batch_size=BATCH)
    for start in range(0, len(revive), BATCH):
        ReviewPair.objects.filter(
            pk__in=revive[start : start + BATCH], status=ReviewStatus.OBSOLETE
        ).update(status=ReviewStatus.PENDING, run=run)
    return len(create) + len(revive)


def save_index(
    *, result: LinkageResult, families: pl.DataFrame, run: LinkageRun, decided: set[PairKey]
) -> IndexCounts:
    """Replace the index with ``result`` in one transaction, carrying ids forward."""
    with transaction.atomic():
        person_of_cluster, created, retired = _save_people(result, run)
        family_count = _save_families(families, person_of_cluster)
        queued = _save_review_queue(result, run, decided)
    return IndexCounts(
        people=len(person_of_cluster),
        families=family_count,
        new_people=created,
        retired_people=retired,
        review_pairs=queued,
    )
