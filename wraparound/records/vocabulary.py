"""The shared event vocabulary (``catalogues/event_vocabulary.yaml``): the one loader,
read and checked once per process.

Imports map agencies' event wording onto these kinds; needs identification, evaluation,
the family page, subject access and the synthetic county read them from here. Each kind
has a label, the data-sharing category its events belong to (none for ``other``), and
the headline outcomes it can evidence (checked against ``core/headline_outcomes``).
Plain Python, no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from wraparound.core.headline_outcomes import outcome_keys

VOCABULARY_FILE = Path(__file__).parent / "catalogues" / "event_vocabulary.yaml"


class VocabularyError(ValueError):
    """The vocabulary file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class EventKind:
    key: str
    label: str
    category: str | None  # data-sharing category (contract C4); None for "other"
    outcomes: tuple[str, ...]  # headline outcomes this kind of event can evidence


def read_vocabulary(
    path: Path = VOCABULARY_FILE, *, outcomes: tuple[str, ...] | None = None
) -> dict[str, EventKind]:
    """Kind key -> kind, in file order, or an error naming what is wrong."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise VocabularyError(f"Cannot read {path}: {error}") from error
    entries = data.get("kinds") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise VocabularyError(f"{path} must hold a list under 'kinds'")
    known = set(outcome_keys() if outcomes is None else outcomes)
    kinds: dict[str, EventKind] = {}
    for entry in entries:
        kind = _kind(entry, path)
        if kind.key in kinds:
            raise VocabularyError(f"{path}: kind {kind.key!r} is listed twice")
        unknown = sorted(set(kind.outcomes) - known)
        if unknown:
            raise VocabularyError(f"{path}: kind {kind.key!r} names unknown outcomes {unknown}")
        kinds[kind.key] = kind
    return kinds


def _kind(entry: Any, path: Path) -> EventKind:
    try:
        category = entry.get("category")
        return EventKind(
            key=str(entry["key"]),
            label=str(entry["label"]),
            category=str(category) if category else None,
            outcomes=tuple(str(o) for o in entry.get("outcomes") or ()),
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise VocabularyError(f"{path}: kind {entry!r} lacks {error}") from error


@cache
def event_vocabulary() -> dict[str, EventKind]:
    """Every kind, by key, in the vocabulary's order."""
    return read_vocabulary()


@cache
def kind_keys() -> frozenset[str]:
    return frozenset(event_vocabulary())


# The views below are built once and shared by every caller: read them, never change them.


@cache
def kind_labels() -> dict[str, str]:
    return {key: kind.label for key, kind in event_vocabulary().items()}


@cache
def kind_categories() -> dict[str, str]:
    """Kind -> data-sharing category, for the kinds that have one."""
    return {key: kind.category for key, kind in event_vocabulary().items() if kind.category}


@cache
def kinds_by_outcome() -> dict[str, tuple[str, ...]]:
    """Headline outcome -> the kinds that can evidence it (outcomes no kind names absent)."""
    areas: dict[str, list[str]] = {}
    for key, kind in event_vocabulary().items():
        for outcome in kind.outcomes:
            areas.setdefault(outcome, []).append(key)
    return {outcome: tuple(kinds) for outcome, kinds in areas.items()}
