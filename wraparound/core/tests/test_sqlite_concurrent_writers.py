"""Two processes writing to the embedded SQLite database at once both succeed, in order.

Without ``transaction_mode: IMMEDIATE`` each transaction starts as a reader and upgrades to a
writer at its first write; when two try that at once SQLite refuses one of them at once
("database is locked") whatever the busy timeout, and under load 14 % of audited pages failed
so. This runs the product's own settings in real processes against a real database file.
PostgreSQL's row lock on the chain head is tested in sharing/tests/test_audit_chain.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.pipeline, pytest.mark.slow]

WRITER = """
import django
django.setup()
from wraparound.core.models import Agency
from wraparound.sharing import audit
agency, _ = Agency.objects.get_or_create(slug="hartshire-police", defaults={"name": "Police", "kind": "police"})
for i in range(COUNT):
    audit.record_access(user=None, action="view", outcome="permit", reason=f"WHO {i}")
    agency.name = f"Police {i}"  # a plain write too, interleaved with the audit appends
    agency.save(update_fields=["name"])
print("ok")
"""
VERIFY = """
import django
django.setup()
from wraparound.sharing import audit
report = audit.verify_stored_chain()
print(report.ok, report.checked)
"""


OPTIONS = """
import json
from django.conf import settings
print(json.dumps(settings.DATABASES["default"]["OPTIONS"], sort_keys=True))
"""


def test_a_sqlite_database_url_gets_the_writer_settings_of_the_embedded_default(
    tmp_path: Path,
) -> None:
    """An operator who names SQLite in DATABASE_URL (the benchmarks do) must not lose the
    write lock and WAL that keep concurrent writers from failing."""

    def options(env: dict[str, str]) -> dict[str, object]:
        shown = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()\n" + OPTIONS],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(shown.stdout)

    embedded = options(_env(tmp_path))
    by_url = options(_env(tmp_path) | {"DATABASE_URL": f"sqlite:///{tmp_path / 'named.sqlite3'}"})
    assert embedded["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in str(embedded["init_command"])
    assert by_url == embedded


def _env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {"WRAPAROUND_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "wraparound.settings"}
    return env


def test_two_processes_appending_to_the_audit_log_at_once_both_succeed(tmp_path: Path) -> None:
    env = _env(tmp_path)
    subprocess.run([sys.executable, "-m", "wraparound.cli", "migrate", "-v0"], env=env, check=True)
    count = 150
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER.replace("COUNT", str(count)).replace("WHO", who)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("first", "second")
    ]
    outcomes = [writer.communicate(timeout=300) for writer in writers]
    for writer, (out, err) in zip(writers, outcomes, strict=True):
        assert writer.returncode == 0, err[-2000:]
        assert out.strip() == "ok"
    verified = subprocess.run(
        [sys.executable, "-c", VERIFY], env=env, capture_output=True, text=True, check=True
    )
    assert verified.stdout.split() == ["True", str(2 * count)]
