"""A small seeded partnership for the access test; each capability adds what its URLs need."""

from __future__ import annotations

import importlib
from typing import Any

SEEDERS = (
    "records",
    "matching",
    "sharing",
    "directory",
    "needs",
    "casework",
    "outcomes",
    "training",
    "referrals",
)


def seed_for_access_tests() -> dict[str, Any]:
    """Run each app's `tests.seed.seed(context)` if it has one, in dependency order."""
    context: dict[str, Any] = {}
    for app in SEEDERS:
        try:
            module = importlib.import_module(f"wraparound.{app}.tests.seed")
        except ModuleNotFoundError as error:
            if error.name and error.name.startswith(f"wraparound.{app}"):
                continue
            raise
        module.seed(context)
    return context
