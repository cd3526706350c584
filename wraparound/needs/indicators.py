"""The indicator catalogue: which events evidence which Supporting Families need, as data.

Loaded and validated once. A mistake in the file (an event kind the shared vocabulary does not
know, an outcome that is not one of the ten, a kind that the vocabulary says evidences a
different outcome) stops the load with a message naming the indicator, so a partnership that
edits its thresholds cannot silently run with a broken rule. No Django here: the pipeline and
the benchmark use it directly.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from wraparound.core.headline_outcomes import outcome_labels
from wraparound.records.vocabulary import VOCABULARY_FILE, event_vocabulary

PACKAGE_DIR = Path(__file__).resolve().parent
INDICATORS_FILE = PACKAGE_DIR / "catalogues" / "indicators.yaml"
APPLIES_TO = ("child", "adult", "any", "family")
LEVELS = (1, 2, 3, 4)


class IndicatorCatalogueError(ValueError):
    """The indicator catalogue is wrong; the message names the entry and what to fix."""


@dataclass(frozen=True)
class Indicator:
    """One rule: at least ``min_count`` events of ``kinds`` in ``window_days`` -> a flag."""

    key: str
    outcome: str
    kinds: tuple[str, ...]
    min_count: int
    window_days: int
    applies_to: str
    level: int
    explanation: str
    evidence: str


@dataclass(frozen=True)
class AtRiskRule:
    """When a family's flags make it "at risk" in the targeting picture."""

    min_outcomes: int
    any_level_at_least: int | None
    explanation: str

    def applies(self, *, outcomes: int, max_level: int) -> bool:
        if outcomes >= self.min_outcomes:
            return True
        return self.any_level_at_least is not None and max_level >= self.any_level_at_least


@dataclass(frozen=True)
class SupportRule:
    """Which events mean a family is receiving (statutory) support."""

    statutory_kinds: tuple[str, ...]
    early_help_kinds: tuple[str, ...]
    early_help_counts_as_support: bool
    window_days: int
    explanation: str

    @property
    def supporting_kinds(self) -> tuple[str, ...]:
        if self.early_help_counts_as_support:
            return self.statutory_kinds + self.early_help_kinds
        return self.statutory_kinds


@dataclass(frozen=True)
class IndicatorCatalogue:
    indicators: tuple[Indicator, ...]
    at_risk: AtRiskRule
    support: SupportRule
    outcomes: tuple[str, ...]
    outcome_labels: dict[str, str]
    checksum: str

    def by_key(self, key: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.key == key:
                return indicator
        raise KeyError(key)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise IndicatorCatalogueError(f"Cannot read {path}: {error}") from error
    if not isinstance(data, dict):
        raise IndicatorCatalogueError(f"{path} must be a YAML mapping at the top level.")
    return data


def _positive_int(value: Any, *, where: str, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise IndicatorCatalogueError(
            f"{where}: {field} must be a whole number of 1 or more, not {value!r}."
        )
    return value


def _known_kinds(kinds: Any, vocabulary: dict[str, set[str]], *, where: str) -> tuple[str, ...]:
    if not isinstance(kinds, list) or not kinds:
        raise IndicatorCatalogueError(f"{where}: kinds must be a non-empty list of event kinds.")
    unknown = [k for k in kinds if k not in vocabulary]
    if unknown:
        raise IndicatorCatalogueError(
            f"{where}: unknown event kind(s) {unknown}; use kinds from {VOCABULARY_FILE.name}."
        )
    return tuple(kinds)


def _indicator(raw: Any, vocabulary: dict[str, set[str]], outcomes: tuple[str, ...]) -> Indicator:
    if not isinstance(raw, dict) or not raw.get("key"):
        raise IndicatorCatalogueError(f"Every indicator needs a key; found {raw!r}.")
    where = f"Indicator {raw['key']!r}"
    missing = [f for f in ("outcome", "kinds", "min_count", "window_days", "applies_to", "level",
                           "explanation", "evidence") if raw.get(f) in (None, "")]  # fmt: skip
    if missing:
        raise IndicatorCatalogueError(f"{where}: missing {', '.join(missing)}.")
    outcome = raw["outcome"]
    if outcome not in outcomes:
        raise IndicatorCatalogueError(
            f"{where}: unknown outcome {outcome!r}; use one of the ten headline outcomes {list(outcomes)}."
        )
    kinds = _known_kinds(raw["kinds"], vocabulary, where=where)
    off_outcome = [k for k in kinds if outcome not in vocabulary[k]]
    if off_outcome:
        raise IndicatorCatalogueError(
            f"{where}: the event vocabulary does not list {outcome!r} among the outcomes of "
            f"{off_outcome}; choose kinds that evidence {outcome!r} or extend the vocabulary."
        )
    if raw["applies_to"] not in APPLIES_TO:
        raise IndicatorCatalogueError(f"{where}: applies_to must be one of {list(APPLIES_TO)}.")
    if raw["level"] not in LEVELS:
        raise IndicatorCatalogueError(f"{where}: level must be 1, 2, 3 or 4 (continuum of need).")
    return Indicator(
        key=str(raw["key"]),
        outcome=outcome,
        kinds=kinds,
        min_count=_positive_int(raw["min_count"], where=where, field="min_count"),
        window_days=_positive_int(raw["window_days"], where=where, field="window_days"),
        applies_to=raw["applies_to"],
        level=int(raw["level"]),
        explanation=str(raw["explanation"]).strip(),
        evidence=str(raw["evidence"]).strip(),
    )


def _at_risk(raw: Any, outcomes: tuple[str, ...]) -> AtRiskRule:
    if not isinstance(raw, dict):
        raise IndicatorCatalogueError("at_risk must be a mapping with min_outcomes.")
    min_outcomes = _positive_int(raw.get("min_outcomes"), where="at_risk", field="min_outcomes")
    if min_outcomes > len(outcomes):
        raise IndicatorCatalogueError(f"at_risk: min_outcomes cannot exceed {len(outcomes)}.")
    level = raw.get("any_level_at_least")
    if level is not None and level not in LEVELS:
        raise IndicatorCatalogueError("at_risk: any_level_at_least must be null or 1-4.")
    return AtRiskRule(min_outcomes, level, str(raw.get("explanation", "")).strip())


def _support(raw: Any, vocabulary: dict[str, set[str]]) -> SupportRule:
    if not isinstance(raw, dict):
        raise IndicatorCatalogueError("support must be a mapping with statutory_kinds.")
    return SupportRule(
        statutory_kinds=_known_kinds(raw.get("statutory_kinds"), vocabulary, where="support"),
        early_help_kinds=_known_kinds(raw.get("early_help_kinds"), vocabulary, where="support"),
        early_help_counts_as_support=bool(raw.get("early_help_counts_as_support", False)),
        window_days=_positive_int(raw.get("window_days"), where="support", field="window_days"),
        explanation=str(raw.get("explanation", "")).strip(),
    )


def parse_catalogue(
    data: dict[str, Any], *, vocabulary: dict[str, set[str]], outcome_labels: dict[str, str]
) -> IndicatorCatalogue:
    """Validate a catalogue already read from YAML (tests pass their own small ones)."""
    outcomes = tuple(outcome_labels)
    raw_indicators = data.get("indicators")
    if not isinstance(raw_indicators, list) or not raw_indicators:
        raise IndicatorCatalogueError("The catalogue must list at least one indicator.")
    indicators = tuple(_indicator(raw, vocabulary, outcomes) for raw in raw_indicators)
    seen: set[str] = set()
    for indicator in indicators:
        if indicator.key in seen:
            raise IndicatorCatalogueError(f"Indicator {indicator.key!r} is listed twice.")
        seen.add(indicator.key)
    checksum = hashlib.sha256(yaml.safe_dump(data, sort_keys=True).encode()).hexdigest()[:16]
    return IndicatorCatalogue(
        indicators=indicators,
        at_risk=_at_risk(data.get("at_risk"), outcomes),
        support=_support(data.get("support"), vocabulary),
        outcomes=outcomes,
        outcome_labels=outcome_labels,
        checksum=checksum,
    )


def load_vocabulary() -> dict[str, set[str]]:
    """Event kind -> the outcomes it can evidence (``records.vocabulary``)."""
    return {key: set(kind.outcomes) for key, kind in event_vocabulary().items()}


def load_outcome_labels() -> dict[str, str]:
    """Outcome key -> gov.uk label, in the framework's order (``core.headline_outcomes``)."""
    return dict(outcome_labels())


@cache
def load_catalogue(path: Path = INDICATORS_FILE) -> IndicatorCatalogue:
    """The partnership's indicator catalogue, validated against outcomes and vocabulary."""
    return parse_catalogue(
        _read_yaml(path), vocabulary=load_vocabulary(), outcome_labels=load_outcome_labels()
    )
