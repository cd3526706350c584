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
    instead of sending them as parameters (SQLite allows a few thousand per statement)."""
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
    raw = secrets.token_bytes(count * length)
    letters = [alphabet[byte % len(alphabet)] for byte in raw]
    return ["".join(letters[i : i + length]) for i in range(0, len(letters), length)]
