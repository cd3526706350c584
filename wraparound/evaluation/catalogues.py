"""The outcome catalogue and the demo plans (data files), loaded and checked once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from wraparound.evaluation.pipeline import OutcomeSpec
from wraparound.records.vocabulary import kind_labels, kinds_by_outcome

CATALOGUE_DIR = Path(__file__).parent / "catalogues"


class CatalogueError(ValueError):
    """A catalogue entry is malformed; the message names it."""


@dataclass(frozen=True)
class Vocabulary:
    kinds: dict[str, str]  # key -> label
    areas: dict[str, tuple[str, ...]]  # Supporting Families outcome -> kinds evidencing it


@cache
def vocabulary() -> Vocabulary:
    """The shared event vocabulary as the evaluation reads it (``records.vocabulary``)."""
    return Vocabulary(kinds=dict(kind_labels()), areas=dict(kinds_by_outcome()))


@cache
def outcome_catalogue() -> dict[str, OutcomeSpec]:
    """Outcome key -> its rule (window filled in from the plan)."""
    raw = yaml.safe_load((CATALOGUE_DIR / "outcomes.yaml").read_text(encoding="utf-8"))
    known = vocabulary().kinds
    out: dict[str, OutcomeSpec] = {}
    for entry in raw["outcomes"]:
        unknown = [k for k in entry["kinds"] if k not in known]
        if unknown or entry["key"] in out:
            raise CatalogueError(f"outcome {entry['key']}: unknown kinds {unknown} or duplicate")
        out[entry["key"]] = OutcomeSpec(
            key=entry["key"],
            label=entry["label"],
            kinds=tuple(entry["kinds"]),
            agencies=tuple(entry.get("agencies") or ()),
        )
    return out


@cache
def demo_plans() -> list[dict[str, Any]]:
    raw = yaml.safe_load((CATALOGUE_DIR / "demo_plans.yaml").read_text(encoding="utf-8"))
    plans: list[dict[str, Any]] = raw["plans"]
    for plan in plans:
        for key in plan["outcomes"]:
            if key not in outcome_catalogue():
                raise CatalogueError(f"demo plan {plan['title']!r}: unknown outcome {key}")
    return plans
