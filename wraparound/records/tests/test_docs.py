"""docs/records.md cannot drift from the commands it documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import load_command_class

DOCS = Path(__file__).resolve().parents[3] / "docs" / "records.md"


@pytest.mark.parametrize("name", ["synth", "import", "bench-import"])
def test_every_option_of_the_command_is_documented(name: str) -> None:
    parser = load_command_class("wraparound.records", name).create_parser("wraparound", name)
    documented = DOCS.read_text(encoding="utf-8")
    django_defaults = {
        "--version",
        "--verbosity",
        "--settings",
        "--pythonpath",
        "--traceback",
        "--no-color",
        "--force-color",
        "--skip-checks",
        "--help",
    }
    options = {o for action in parser._actions for o in action.option_strings if o.startswith("--")}
    missing = sorted(o for o in options - django_defaults if o not in documented)
    assert not missing, f"document {missing} in docs/records.md"
