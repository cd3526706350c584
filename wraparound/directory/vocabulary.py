"""The directory's taxonomies (needs, circumstances, access level, threshold) and age groups.

Loaded once from ``catalogues/taxonomies.yaml``; the needs taxonomy's terms are the ten
Supporting Families outcomes from the core catalogue. Ids are UUID5s of the keys, so every
export of every partnership using Wraparound gives the same term the same id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from wraparound.core.headline_outcomes import headline_outcomes

PACKAGE_DIR = Path(__file__).resolve().parent
TAXONOMIES_FILE = PACKAGE_DIR / "catalogues" / "taxonomies.yaml"
NAMESPACE = uuid.UUID("6f1d3a52-0c1e-4b8e-9d1b-7e0b5a3c2d11")
NEEDS, CIRCUMSTANCES, ACCESS, THRESHOLD = "needs", "circumstances", "access", "threshold"


@dataclass(frozen=True)
class TermSpec:
    taxonomy_key: str
    term: str
    name: str
    description: str

    @property
    def id(self) -> uuid.UUID:
        return term_id(self.taxonomy_key, self.term)


@dataclass(frozen=True)
class TaxonomySpec:
    key: str
    name: str
    description: str
    terms: tuple[TermSpec, ...]

    @property
    def id(self) -> uuid.UUID:
        return taxonomy_id(self.key)


@dataclass(frozen=True)
class AgeGroup:
    key: str
    label: str
    minimum_age: float
    maximum_age: float

    def overlaps(self, minimum: float | None, maximum: float | None) -> bool:
        """True when a service for ages [minimum, maximum] serves anyone in this group."""
        low = 0.0 if minimum is None else minimum
        high = 200.0 if maximum is None else maximum
        return low <= self.maximum_age and high >= self.minimum_age


def taxonomy_id(key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"taxonomy:{key}")


def term_id(taxonomy_key: str, term: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"term:{taxonomy_key}:{term}")


def _outcome_terms() -> tuple[TermSpec, ...]:
    return tuple(
        TermSpec(NEEDS, o.key, o.label, "For example: " + ", ".join(o.examples) + ".")
        for o in headline_outcomes()
    )


@cache
def load_taxonomies() -> tuple[TaxonomySpec, ...]:
    data = yaml.safe_load(TAXONOMIES_FILE.read_text(encoding="utf-8"))
    result = []
    for entry in data["taxonomies"]:
        if entry.get("terms_from_outcomes"):
            terms = _outcome_terms()
        else:
            terms = tuple(
                TermSpec(entry["key"], t["term"], t["name"], t.get("description", t["name"]))
                for t in entry["terms"]
            )
        if len({t.term for t in terms}) != len(terms):
            raise ValueError(f"taxonomies.yaml: taxonomy {entry['key']!r} repeats a term.")
        result.append(TaxonomySpec(entry["key"], entry["name"], entry["description"], terms))
    return tuple(result)


@cache
def load_age_groups() -> tuple[AgeGroup, ...]:
    data = yaml.safe_load(TAXONOMIES_FILE.read_text(encoding="utf-8"))
    return tuple(
        AgeGroup(g["key"], g["label"], float(g["minimum_age"]), float(g["maximum_age"]))
        for g in data["age_groups"]
    )


def taxonomy(key: str) -> TaxonomySpec:
    for spec in load_taxonomies():
        if spec.key == key:
            return spec
    raise KeyError(key)


def outcome_labels() -> dict[str, str]:
    """Outcome key -> gov.uk label, in framework order."""
    return {t.term: t.name for t in taxonomy(NEEDS).terms}
