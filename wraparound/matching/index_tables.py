"""Plain SQL reads and writes of the index tables, sized for a county.

The master index holds a row per source record (a million in a large partnership).
Model instances and per-row ORM calls cost more than the linkage itself at that size,
so the index writer reads whole tables into polars frames with one query each and writes
only the rows that differ, in batched statements. Works on SQLite and PostgreSQL.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import polars as pl
from django.db import connection

from wraparound.matching.models import PUBLIC_ID_ALPHABET
from wraparound.matching.pipeline.identity import carry_forward_ids

BATCH = 5000
FETCH = 50_000


def quoted(name: str) -> str:
    return str(connection.ops.quote_name(name))


def read_frame(sql: str, params: Sequence[Any], schema: dict[str, Any]) -> pl.DataFrame:
    """The rows of ``sql`` as a frame with ``schema`` (columns in select order)."""
    frames = []
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        while rows := cursor.fetchmany(FETCH):
            frames.append(pl.DataFrame(rows, schema=schema, orient="row"))
    if not frames:
        return pl.DataFrame(schema=schema)
    return pl.concat(frames, rechunk=True)


@contextmanager
def keys_table(keys: Sequence[str]) -> Iterator[str]:
    """A temporary table ``(k)`` holding ``keys``, to join a large set of keys in SQL
    instead of sending them as parameters (SQLite allows a few thousand per statement).

    Join it first, as ``FROM keys k CROSS JOIN table t WHERE t.x = k.k``: SQLite keeps a
    CROSS JOIN's order, so it walks the keys and looks each up in the table's index. With a
    plain JOIN it scans the whole table (a million links) and probes the keys instead,
    three times slower for an incremental run's 85,000 keys. PostgreSQL plans both alike."""
    name = quoted(f"wp_keys_{uuid.uuid4().hex[:12]}")
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {name} (k VARCHAR(200) PRIMARY KEY)")
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), BATCH):
            cursor.executemany(
                f"INSERT INTO {name} (k) VALUES (%s)",  # noqa: S608 - our own temp table
                [(key,) for key in unique[start : start + BATCH]],
            )
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {name}")


def insert_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Plain batched INSERTs (no model instances); the number of rows written."""
    names = ", ".join(quoted(column) for column in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quoted(table)} ({names}) VALUES ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])
    return len(rows)


def update_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """``UPDATE table SET columns = ... WHERE id = ...``; each row ends with its id."""
    assignments = ", ".join(f"{quoted(column)} = %s" for column in columns)
    sql = f"UPDATE {quoted(table)} SET {assignments} WHERE id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])
    return len(rows)


def set_where_ids(table: str, assignment: str, params: Sequence[Any], ids: Sequence[int]) -> int:
    """``UPDATE table SET <assignment> WHERE id IN ids`` in batches."""
    with connection.cursor() as cursor:
        for start in range(0, len(ids), BATCH):
            chunk = list(ids[start : start + BATCH])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"UPDATE {quoted(table)} SET {assignment} WHERE id IN ({marks})",  # noqa: S608
                [*params, *chunk],
            )
    return len(ids)


def delete_ids(table: str, ids: Sequence[int]) -> int:
    with connection.cursor() as cursor:
        for start in range(0, len(ids), BATCH):
            chunk = list(ids[start : start + BATCH])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {quoted(table)} WHERE id IN ({marks})", chunk)  # noqa: S608
    return len(ids)


def max_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quoted(table)}")  # noqa: S608
        return int(cursor.fetchone()[0])


def random_codes(count: int, alphabet: str, length: int) -> list[str]:
    """``count`` random codes of ``length`` characters from ``alphabet`` (whose size must
    divide 256, so every character is equally likely), drawn from the OS's CSPRNG in bulk."""
    if 256 % len(alphabet):
        raise ValueError("the alphabet's size must divide 256")
    table = bytes(ord(alphabet[byte % len(alphabet)]) for byte in range(256))
    letters = secrets.token_bytes(count * length).translate(table).decode("ascii")
    return [letters[i : i + length] for i in range(0, len(letters), length)]


def mint_public_ids(table: str, count: int, prefix: str) -> list[str]:
    """``count`` new public ids, none already used in ``table`` (retired rows included)."""
    fresh: list[str] = []
    check = max_id(table) > 0
    while len(fresh) < count:
        codes = random_codes(count - len(fresh), PUBLIC_ID_ALPHABET, 8)
        seen = set(fresh)
        candidates = [
            c for c in dict.fromkeys(f"{prefix}-{code}" for code in codes) if c not in seen
        ]
        if check:
            with keys_table(candidates) as keys:
                sql = (
                    f"SELECT t.public_id FROM {keys} k CROSS JOIN {quoted(table)} t "  # noqa: S608
                    f"WHERE t.public_id = k.k"
                )
                taken = set(read_frame(sql, [], {"public_id": pl.Utf8})["public_id"].to_list())
            candidates = [c for c in candidates if c not in taken]
        fresh += candidates
    return fresh


def assign_ids(
    groups: pl.DataFrame, previous: pl.DataFrame, table: str, prefix: str
) -> pl.DataFrame:
    """``group, public_id``: ids carried forward, new ids minted for the rest."""
    carried = carry_forward_ids(groups, previous)
    missing = carried.filter(pl.col("public_id").is_null())
    minted = pl.Series("minted", mint_public_ids(table, missing.height, prefix), dtype=pl.Utf8)
    return pl.concat(
        [
            carried.filter(pl.col("public_id").is_not_null()),
            missing.select("group", minted.alias("public_id")),
        ]
    )


def add_rows(table: str, ids: pl.DataFrame, known: pl.DataFrame, now: Any) -> pl.DataFrame:
    """``public_id, pk`` of every id in ``ids``: rows for new ids are created, retired
    rows of carried ids are brought back. ``known``: public_id, pk, retired."""
    new = ids.join(known, on="public_id", how="anti")["public_id"].sort().to_list()
    before = max_id(table)
    insert_rows(table, ["public_id", "created_at"], [(public_id, now) for public_id in new])
    created = read_frame(
        f"SELECT public_id, id FROM {quoted(table)} WHERE id > %s",  # noqa: S608
        [before],
        {"public_id": pl.Utf8, "pk": pl.Int64},
    ).join(ids.select("public_id"), on="public_id", how="semi")
    carried = known.join(ids.select("public_id"), on="public_id", how="semi")
    revived = carried.filter(pl.col("retired") == 1)["pk"].to_list()
    set_where_ids(table, "retired_at = NULL", [], revived)
    return pl.concat([carried.select("public_id", "pk"), created])


def retire_unused(table: str, link_table: str, column: str, candidates: list[int], now: Any) -> int:
    """Retire the ``candidates`` (people or families) no row of ``link_table`` points to."""
    retired = 0
    with connection.cursor() as cursor:
        for start in range(0, len(candidates), 5000):
            chunk = candidates[start : start + 5000]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"UPDATE {quoted(table)} SET retired_at = %s WHERE retired_at IS NULL "  # noqa: S608
                f"AND id IN ({marks}) AND NOT EXISTS (SELECT 1 FROM {quoted(link_table)} x "
                f"WHERE x.{quoted(column)} = {quoted(table)}.id)",
                [now, *chunk],
            )
            retired += max(cursor.rowcount, 0)
    return retired
