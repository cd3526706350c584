"""Copy SQLite's write-ahead log into the database beside other work, after a big write.

In WAL mode SQLite checkpoints automatically inside a COMMIT once the log passes 1,000
pages: the committing writer copies every page of the log into the database file and
syncs it. A county's incremental link writes about 54,000 pages (at 430,000 households), so
its commit took 2.4 s, 1.7 s of them that copy. ``deferred_checkpoint`` turns the automatic
checkpoint off for the write; ``start()`` then copies the log in a thread with its own
connection while the caller goes on (the linked records file is written meanwhile), and
leaving the block waits for it and turns the automatic checkpoint back on.

Nothing depends on the copy: committed pages are safe in the log either way, readers see
them there, and if the thread fails SQLite checkpoints at the next commit as usual. On
PostgreSQL, or a SQLite database not in WAL mode (tests' in-memory ones), it does nothing.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager

from django.db import connection


class Checkpoint:
    """A checkpoint of the log to run beside other work (``start``), once."""

    def __init__(self, database: str | None) -> None:
        self.database = database
        self.frames: tuple[int, int] | None = None  # (frames in the log, copied), once done
        self._thread: threading.Thread | None = None

    def _copy(self) -> None:
        assert self.database is not None
        try:
            with closing(sqlite3.connect(self.database, timeout=30)) as other:
                busy, log, copied = other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                if not busy:
                    self.frames = (int(log), int(copied))
        except sqlite3.Error:
            self.frames = None  # the next commit checkpoints instead

    def start(self) -> None:
        if self.database is not None and self._thread is None:
            self._thread = threading.Thread(target=self._copy, name="wal-checkpoint")
            self._thread.start()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()


def _wal_database() -> str | None:
    """The database file when the default connection is SQLite in WAL mode, else None."""
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = str(cursor.fetchone()[0]).lower()
    name = str(connection.settings_dict["NAME"])
    return name if mode == "wal" and not name.startswith(("file:", ":memory:")) else None


@contextmanager
def deferred_checkpoint() -> Iterator[Checkpoint]:
    """No automatic checkpoint for the writes inside; ``start()`` copies the log beside
    whatever follows, and leaving waits for the copy and restores the automatic one."""
    checkpoint = Checkpoint(_wal_database())
    if checkpoint.database is None:
        yield checkpoint
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        pages = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield checkpoint
    finally:
        checkpoint.wait()
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {pages}")
