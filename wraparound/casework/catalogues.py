"""Casework's catalogues as data: closure reasons, and the outcome areas plans link to."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from wraparound.needs.indicators import load_outcome_labels

CLOSURE_REASONS = Path(__file__).resolve().parent / "catalogues" / "closure_reasons.yaml"


class CatalogueError(Exception):
    """A casework catalogue file is malformed; the message names the entry."""


@dataclass(frozen=True)
class ClosureReason:
    code: str
    label: str
    outcome: str
    needs_note: bool


@cache
def closure_reasons() -> dict[str, ClosureReason]:
    """Closure reasons by code, validated once."""
    raw = yaml.safe_load(CLOSURE_REASONS.read_text(encoding="utf-8")) or {}
    reasons: dict[str, ClosureReason] = {}
    for entry in raw.get("closure_reasons") or []:
        try:
            reason = ClosureReason(
                code=str(entry["code"]),
                label=str(entry["label"]),
                outcome=str(entry["outcome"]),
                needs_note=bool(entry.get("needs_note", False)),
            )
        except (KeyError, TypeError) as error:
            raise CatalogueError(f"closure_reasons.yaml: entry {entry!r} lacks {error}") from error
        if reason.code in reasons:
            raise CatalogueError(f"closure_reasons.yaml: {reason.code} is listed twice")
        reasons[reason.code] = reason
    if not reasons:
        raise CatalogueError("closure_reasons.yaml lists no reasons")
    return reasons


@cache
def _outcome_areas() -> tuple[tuple[str, str], ...]:
    return tuple(load_outcome_labels().items())


def outcome_areas() -> dict[str, str]:
    """Outcome key -> label: the areas an assessment covers and plan actions link to.

    Read from outcomes.yaml once per process (pages ask for it per plan line)."""
    return dict(_outcome_areas())
