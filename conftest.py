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
