"""Fixtures for directory tests: the demo directory, loaded the way `wraparound demo` loads it."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def demo_directory(db: Any) -> dict[str, Any]:
    """The demo partnership's agencies and its 136-service directory."""
    from wraparound.core.demo import load_agencies
    from wraparound.directory.demo import load_demo

    agencies = load_agencies()
    note = load_demo({"seed": 1})
    return {"agencies": agencies, "note": note}
