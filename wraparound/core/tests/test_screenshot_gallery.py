"""The README's tour points at a screenshot of every role's home and main task, and they exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wraparound.core.models import Role

REPO = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.pipeline


def test_the_tour_shows_every_roles_home_and_main_task() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\(docs/screenshots/([\w-]+\.png)\)", readme))
    for role in Role.values:
        slug = role.replace("_", "-")
        assert f"{slug}-home.png" in linked, role
        assert any(n.startswith(f"{slug}-") and n != f"{slug}-home.png" for n in linked), role
    missing = [n for n in linked if not (REPO / "docs" / "screenshots" / n).is_file()]
    assert not missing, f"README links to screenshots that are not in docs/screenshots: {missing}"


def test_the_gallery_index_lists_what_the_script_takes() -> None:
    index = (REPO / "docs" / "screenshots" / "index.md").read_text(encoding="utf-8")
    files = sorted(p.name for p in (REPO / "docs" / "screenshots").glob("*.png"))
    assert files
    assert all(f"({name})" in index for name in files)
