"""Project-wide pytest configuration: browser settings and shared fixtures."""

from __future__ import annotations

import os

# Playwright's sync API runs an event loop; Django's async-safety check would refuse ORM calls
# made by test code around it. Tests only: never set in the product.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.

    `test_passwords_are_stored_with_argon2` checks the product's real setting.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _audit_checkpoint_per_test(settings: pytest.FixtureRequest, tmp_path: object) -> None:
    """Each test's database starts an empty audit log, so each gets its own checkpoint file."""
    from pathlib import Path

    settings.AUDIT_CHECKPOINT_FILE = Path(str(tmp_path)) / "audit-checkpoint.json"  # type: ignore[attr-defined]


def _allow_test_runner_truncate(sender: object, connection: object, **kwargs: object) -> None:
    """PostgreSQL refuses TRUNCATE of the audit log unless the session says it may; the test
    runner empties tables with TRUNCATE between transactional tests, so its sessions say so."""
    if getattr(connection, "vendor", "") == "postgresql":
        with connection.cursor() as cursor:  # type: ignore[attr-defined]
            cursor.execute("SET wraparound.allow_audit_truncate = 'on'")


from django.db.backends.signals import connection_created  # noqa: E402

connection_created.connect(_allow_test_runner_truncate)
