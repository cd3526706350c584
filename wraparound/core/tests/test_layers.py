"""Layout rules: needs stands on core (geography), not on directory; benchmarks are bench.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.pipeline
PACKAGE = Path(__file__).resolve().parents[2]


def _imports(app: str, other: str) -> list[str]:
    pattern = re.compile(rf"^\s*(from|import) wraparound\.{other}\b", re.MULTILINE)
    return [
        str(path.relative_to(PACKAGE))
        for path in (PACKAGE / app).rglob("*.py")
        # Tests and commands (the CLI, which orchestrates every capability) are above the layers.
        if not {"tests", "management"} & set(path.parts)
        and pattern.search(path.read_text(encoding="utf-8"))
    ]


def test_needs_does_not_import_directory() -> None:
    assert _imports("needs", "directory") == []


def test_geography_lives_in_core_alone() -> None:
    """Wards, localities and centres have one home, ``core/geography.py``: no app keeps a copy
    or a re-export under its own name for others to import."""
    elsewhere = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("geography*.py")
        if "tests" not in path.parts and path.parent.name != "core"
    ]
    assert elsewhere == []


def test_every_apps_benchmark_module_is_called_bench() -> None:
    """One name for benchmark modules (``bench.py``), so a reader finds each app's at once."""
    odd = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("benchmark*.py")
        if "tests" not in path.parts
    ]
    assert odd == []
