"""The ten Supporting Families headline outcomes (``catalogues/outcomes.yaml``): the one
loader, read and checked once per process.

Needs identification, the event vocabulary, the directory's needs taxonomy, casework's
assessment areas and the synthetic county all name outcomes by these keys; each reads
them from here. (The outcomes app's framework files are another catalogue, with its own
loader.) Plain Python, no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

OUTCOMES_FILE = Path(__file__).parent / "catalogues" / "outcomes.yaml"
HEADLINE_OUTCOME_COUNT = 10


class OutcomeCatalogueError(ValueError):
    """The outcomes file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class HeadlineOutcome:
    key: str
    number: int
    label: str  # the gov.uk wording
    examples: tuple[str, ...]  # family needs that evidence the outcome


def read_outcomes(path: Path = OUTCOMES_FILE) -> tuple[HeadlineOutcome, ...]:
    """The outcomes in ``path``, in framework order, or an error naming what is wrong."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise OutcomeCatalogueError(f"Cannot read {path}: {error}") from error
    entries = data.get("outcomes") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise OutcomeCatalogueError(f"{path} must hold a list under 'outcomes'")
    outcomes = sorted((_outcome(entry, path) for entry in entries), key=lambda o: o.number)
    keys = [o.key for o in outcomes]
    if len(keys) != HEADLINE_OUTCOME_COUNT or len(set(keys)) != len(keys):
        raise OutcomeCatalogueError(
            f"{path} must list {HEADLINE_OUTCOME_COUNT} distinct outcomes (got {keys})"
        )
    if [o.number for o in outcomes] != list(range(1, HEADLINE_OUTCOME_COUNT + 1)):
        raise OutcomeCatalogueError(f"{path}: outcomes must be numbered 1 to 10 once each")
    return tuple(outcomes)


def _outcome(entry: Any, path: Path) -> HeadlineOutcome:
    try:
        return HeadlineOutcome(
            key=str(entry["key"]),
            number=int(entry["number"]),
            label=str(entry["label"]),
            examples=tuple(str(e) for e in entry.get("examples") or ()),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise OutcomeCatalogueError(f"{path}: outcome {entry!r} lacks {error}") from error


@cache
def headline_outcomes() -> tuple[HeadlineOutcome, ...]:
    """The ten outcomes, in framework order."""
    return read_outcomes()


@cache
def outcome_keys() -> tuple[str, ...]:
    return tuple(o.key for o in headline_outcomes())


@cache
def outcome_labels() -> dict[str, str]:
    """Outcome key -> gov.uk label, in framework order (shared: read it, never change it)."""
    return {o.key: o.label for o in headline_outcomes()}
