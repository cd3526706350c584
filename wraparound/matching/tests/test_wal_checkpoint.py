"""A county-sized write commits without copying SQLite's log into the database; the copy
runs beside the work that follows, and the automatic checkpoint comes back after it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.pipeline

SCRIPT = """
import json, os
import django
django.setup()
from django.conf import settings
from django.db import connection, transaction
from wraparound.matching.wal_checkpoint import deferred_checkpoint

database = settings.DATABASES["default"]["NAME"]
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE pages (k TEXT)")
before = os.path.getsize(database)
with deferred_checkpoint() as checkpoint:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany("INSERT INTO pages VALUES (%s)", [(str(n) * 40,) for n in range(60000)])
    committed = os.path.getsize(database)
    checkpoint.start()
after = os.path.getsize(database)
with connection.cursor() as cursor:
    cursor.execute("PRAGMA wal_autocheckpoint")
    automatic = cursor.fetchone()[0]
print(json.dumps({"before": before, "committed": committed, "after": after,
                  "frames": checkpoint.frames, "automatic": automatic}))
"""


def test_a_big_write_commits_to_the_log_and_the_copy_follows_beside_the_next_work(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"WRAPAROUND_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "wraparound.settings"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    sizes = json.loads(done.stdout.strip().splitlines()[-1])

    assert sizes["committed"] == sizes["before"], "the commit copied nothing into the database"
    log, copied = sizes["frames"]
    assert log > 1000, "more than the automatic checkpoint's 1,000 pages were written"
    assert copied == log
    assert sizes["after"] > sizes["before"], "the copy reached the database file"
    assert sizes["automatic"] == 1000, "the automatic checkpoint is back"
