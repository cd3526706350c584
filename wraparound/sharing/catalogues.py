"""The sharing catalogues: lawful bases, data categories, purposes and no-consent conditions.

They are data files (``catalogues/*.yaml``) so an information governance officer can read and
review them; this module loads them once, checks they are complete and consistent, and gives
the rest of the app typed, read-only views of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from wraparound.core.models import AgencyKind

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogues"
LAWFUL_BASIS_KINDS = {"article6", "article9", "article10", "dpa_condition", "gateway", "common_law"}


class CatalogueError(Exception):
    """A catalogue file is missing, malformed or inconsistent; the message names the entry."""


@dataclass(frozen=True)
class LawfulBasis:
    code: str
    kind: str
    title: str
    summary: str


@dataclass(frozen=True)
class DataCategory:
    code: str
    label: str
    description: str
    special: bool
    criminal: bool


READERS = (
    "casework",
    "linkage_review",
    "subject_access",
    "claim_assurance",
    "aggregate",
    "triage",
)


@dataclass(frozen=True)
class Purpose:
    code: str
    label: str
    description: str
    aggregate: bool
    hl7_purpose_of_use: str
    # Narrower purposes a relationship held for this one also serves (safeguarding includes
    # early help coordination); a wider purpose than the relationship's needs its own basis.
    includes: tuple[str, ...] = ()
    # What kind of reader the purpose is for: casework (a named family with need to know),
    # linkage_review (a data analyst comparing records), subject_access (an IG officer answering
    # a request), claim_assurance (an internal auditor checking a sampled outcome claim) or
    # aggregate (counts only).
    reader: str = "casework"

    def serves(self, asked: str) -> bool:
        """Does a relationship held for this purpose serve a request made for ``asked``?"""
        return asked == self.code or asked in self.includes


@dataclass(frozen=True)
class NoConsentCondition:
    code: str
    title: str
    summary: str


@dataclass(frozen=True)
class Catalogues:
    lawful_bases: dict[str, LawfulBasis]
    categories: dict[str, DataCategory]
    provided_by_kind: dict[str, tuple[str, ...]]
    purposes: dict[str, Purpose]
    no_consent_conditions: dict[str, NoConsentCondition]


def _read(name: str, key: str) -> Any:
    path = CATALOGUE_DIR / name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise CatalogueError(f"Cannot read sharing catalogue {path}: {error}") from error
    if not isinstance(data, dict) or key not in data:
        raise CatalogueError(f"Sharing catalogue {path} must be a mapping with a {key!r} key.")
    return data


def _entries(data: Any, key: str, name: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    entries = data[key]
    if not isinstance(entries, list) or not entries:
        raise CatalogueError(f"{name}: {key!r} must be a non-empty list.")
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        missing = [f for f in fields if not isinstance(entry, dict) or f not in entry]
        if missing:
            raise CatalogueError(f"{name}: entry {index + 1} lacks {', '.join(missing)}.")
        if entry["code"] in seen:
            raise CatalogueError(f"{name}: code {entry['code']!r} appears twice.")
        seen.add(entry["code"])
    return entries


def load_catalogues() -> Catalogues:
    """Read and validate every sharing catalogue (uncached: tests and checks call this)."""
    bases_data = _read("lawful_bases.yaml", "lawful_bases")
    bases = {
        e["code"]: LawfulBasis(e["code"], e["kind"], e["title"], e["summary"])
        for e in _entries(
            bases_data, "lawful_bases", "lawful_bases.yaml", ("code", "kind", "title", "summary")
        )
    }
    for basis in bases.values():
        if basis.kind not in LAWFUL_BASIS_KINDS:
            raise CatalogueError(
                f"lawful_bases.yaml: {basis.code} has kind {basis.kind!r}; "
                f"use one of {', '.join(sorted(LAWFUL_BASIS_KINDS))}."
            )
    cat_data = _read("data_categories.yaml", "categories")
    categories = {
        e["code"]: DataCategory(
            e["code"], e["label"], e["description"], bool(e["special"]), bool(e["criminal"])
        )
        for e in _entries(
            cat_data,
            "categories",
            "data_categories.yaml",
            ("code", "label", "description", "special", "criminal"),
        )
    }
    provided = cat_data.get("provided_by_kind") or {}
    unknown_kinds = set(provided) - set(AgencyKind.values)
    if unknown_kinds or set(AgencyKind.values) - set(provided):
        raise CatalogueError(
            "data_categories.yaml: provided_by_kind must list every agency kind exactly "
            f"({', '.join(AgencyKind.values)}); unknown {sorted(unknown_kinds)}."
        )
    for kind, codes in provided.items():
        bad = [c for c in codes if c not in categories]
        if bad:
            raise CatalogueError(f"data_categories.yaml: {kind} provides unknown {bad}.")
    purposes_data = _read("purposes.yaml", "purposes")
    purposes = {
        e["code"]: Purpose(
            e["code"],
            e["label"],
            e["description"],
            bool(e["aggregate"]),
            e["hl7_purpose_of_use"],
            tuple(e.get("includes") or ()),
            str(e.get("reader") or ("aggregate" if e["aggregate"] else "casework")),
        )
        for e in _entries(
            purposes_data,
            "purposes",
            "purposes.yaml",
            ("code", "label", "description", "aggregate", "hl7_purpose_of_use"),
        )
    }
    purposes = _with_included_closure(purposes)
    for purpose in purposes.values():
        bad = [c for c in purpose.includes if c not in purposes]
        if bad:
            raise CatalogueError(f"purposes.yaml: {purpose.code} includes unknown {bad}.")
        if purpose.reader not in READERS:
            raise CatalogueError(
                f"purposes.yaml: {purpose.code} has reader {purpose.reader!r}; use one of {READERS}."
            )
    cond_data = _read("no_consent_conditions.yaml", "conditions")
    conditions = {
        e["code"]: NoConsentCondition(e["code"], e["title"], e["summary"])
        for e in _entries(
            cond_data, "conditions", "no_consent_conditions.yaml", ("code", "title", "summary")
        )
    }
    return Catalogues(
        lawful_bases=bases,
        categories=categories,
        provided_by_kind={k: tuple(v) for k, v in provided.items()},
        purposes=purposes,
        no_consent_conditions=conditions,
    )


def _with_included_closure(purposes: dict[str, Purpose]) -> dict[str, Purpose]:
    """``includes`` is transitive: safeguarding includes early help coordination, so it also
    includes whatever early help coordination includes."""
    from dataclasses import replace

    def closure(code: str, seen: frozenset[str]) -> set[str]:
        direct = set(purposes[code].includes) if code in purposes else set()
        found = set(direct)
        for inner in direct - seen:
            found |= closure(inner, seen | {code})
        return found - {code}

    return {
        code: replace(p, includes=tuple(sorted(closure(code, frozenset()))))
        for code, p in purposes.items()
    }


@lru_cache(maxsize=1)
def catalogues() -> Catalogues:
    """The validated catalogues, loaded once per process."""
    return load_catalogues()


def category_label(code: str) -> str:
    entry = catalogues().categories.get(code)
    return entry.label if entry else code


def purpose_label(code: str) -> str:
    entry = catalogues().purposes.get(code)
    return entry.label if entry else code


def primary_category_for_kind(kind: str) -> str:
    """The service category an agency of ``kind`` provides (not identity or contact).

    Records map each event to a category through the providing agency's kind with this.
    """
    codes = catalogues().provided_by_kind.get(kind)
    if not codes:
        raise CatalogueError(f"No data categories are catalogued for agency kind {kind!r}.")
    return next(c for c in codes if c not in {"identity", "contact"})


def choices(mapping: dict[str, Any], attr: str = "label") -> list[tuple[str, str]]:
    """(code, label) pairs for form fields, in catalogue order."""
    return [(code, getattr(entry, attr)) for code, entry in mapping.items()]
