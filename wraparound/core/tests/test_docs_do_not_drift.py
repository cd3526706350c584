"""Docs that cannot drift: every command and every setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wraparound.cli import OPERATOR_DJANGO_COMMANDS, _wraparound_commands

REPO = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.pipeline


def _docs_text() -> str:
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    return "\n".join(page.read_text(encoding="utf-8") for page in pages)


def test_every_wraparound_command_is_documented() -> None:
    docs = _docs_text()
    commands = set(_wraparound_commands()) - set(OPERATOR_DJANGO_COMMANDS)
    missing = sorted(
        name
        for name in commands
        if f"wraparound {name}" not in docs
        and not (name.startswith("bench-") and f"wraparound bench {name[6:]}" in docs)
    )
    assert not missing, f"Commands not mentioned as `wraparound NAME` in README/docs: {missing}"


def test_every_environment_setting_is_documented_in_operations() -> None:
    sources = [
        path.read_text(encoding="utf-8")
        for path in (REPO / "wraparound").rglob("*.py")
        if "tests" not in path.parts
    ]
    reads = r"environ(?:\.get\(|\[)\s*\"(WRAPAROUND_[A-Z_]+|DATABASE_URL)\""
    variables = {name for source in sources for name in re.findall(reads, source)}
    assert "WRAPAROUND_SECRET_KEY" in variables  # the scan itself works
    operations = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    missing = sorted(v for v in variables if f"`{v}`" not in operations)
    assert not missing, f"Settings not in docs/operations.md: {missing}"
