"""Every catalogue code as the words its users read: one place for the whole service.

Pages store and pass codes (``social_care``, ``ART6_1_E``, ``hcc-social-care:episodes``);
people read labels. Each catalogue is read through its own loader (the YAML files stay the
single source) and the lookup tables are built once per process. A template reaches this
through the ``labels`` template library (``{{ code|label }}``, ``{{ codes|labels:"category" }}``,
``{{ key|dataset_label }}``); Python code calls :func:`label`.

The raw-code page test uses :func:`catalogue_codes` to know which tokens must never appear as
visible text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache

from django.db import models

from wraparound.core.plain_words import evidence_name, humanise

LabelTable = dict[str, str]


def _choices(choices: type[models.TextChoices]) -> LabelTable:
    return {str(value): str(label) for value, label in choices.choices}


def _agency_kinds() -> LabelTable:
    from wraparound.core.models import AgencyKind

    return _choices(AgencyKind)


def _roles() -> LabelTable:
    from wraparound.core.models import Role

    return _choices(Role)


def _sharing(attr: str, field: str = "label") -> Callable[[], LabelTable]:
    def load() -> LabelTable:
        from wraparound.sharing.catalogues import catalogues

        return {code: getattr(entry, field) for code, entry in getattr(catalogues(), attr).items()}

    return load


def _sharing_choices() -> LabelTable:
    from wraparound.sharing import models as sharing

    table: LabelTable = {}
    for choices in (
        sharing.DataSubject,
        sharing.RelationshipKind,
        sharing.AgreementStatus,
        sharing.PartyRole,
        sharing.ConsentDecision,
        sharing.BreakGlassOutcome,
        sharing.AuditAction,
        sharing.AuditOutcome,
    ):
        table.update(_choices(choices))
    return table


def _casework_choices() -> LabelTable:
    from wraparound.casework import models as casework
    from wraparound.casework import plan_models

    table: LabelTable = {}
    for choices in (
        plan_models.AssessmentStatus,
        plan_models.ActionStatus,
        casework.ServiceLevel,
        casework.TransferDirection,
        casework.TransferStatus,
        casework.CaseStatus,
    ):
        table.update(_choices(choices))
    return table


def _outcomes() -> LabelTable:
    from wraparound.core.headline_outcomes import outcome_labels

    return dict(outcome_labels())


def _event_kinds() -> LabelTable:
    from wraparound.records.vocabulary import kind_labels

    return dict(kind_labels())


def _indicators() -> LabelTable:
    from wraparound.needs.indicators import load_catalogue

    return {i.key: _sentence(i.explanation) or humanise(i.key) for i in load_catalogue().indicators}


def _topics() -> LabelTable:
    from wraparound.training.topics import load_topics

    return {t.slug: t.name for t in load_topics()}


def _sentence(text: str) -> str:
    """The first sentence of an explanation: short enough for a table cell."""
    first = text.split(". ")[0].strip()
    return first.rstrip(".")


# Catalogue name -> loader of code -> label. Order matters for the un-named lookup: a code in
# two catalogues (``health`` is an agency kind and a data category) takes the first label.
CATALOGUES: dict[str, Callable[[], LabelTable]] = {
    "agency_kind": _agency_kinds,
    "role": _roles,
    "category": _sharing("categories"),
    "purpose": _sharing("purposes"),
    "lawful_basis": _sharing("lawful_bases", "title"),
    "no_consent_condition": _sharing("no_consent_conditions", "title"),
    "sharing": _sharing_choices,
    "outcome": _outcomes,
    "event_kind": _event_kinds,
    "indicator": _indicators,
    "topic": _topics,
    "casework": _casework_choices,
}


@cache
def catalogue(name: str) -> LabelTable:
    """One catalogue's code -> label table, loaded once."""
    try:
        loader = CATALOGUES[name]
    except KeyError:
        raise KeyError(f"No catalogue {name!r}; use one of {', '.join(CATALOGUES)}.") from None
    return loader()


def label(code: object, kind: str | None = None) -> str:
    """The label of ``code`` in catalogue ``kind`` (or the first catalogue that knows it)."""
    if code is None or code == "":
        return ""
    text = str(code)
    names: Iterable[str] = (kind,) if kind else CATALOGUES
    for name in names:
        found = catalogue(name).get(text)
        if found:
            return found
    if kind is None and DATASET_KEY.fullmatch(text):
        return dataset_label(text)
    return humanise(text) if SNAKE_CASE.fullmatch(text) else text


def labels(codes: Iterable[object] | None, kind: str | None = None) -> str:
    """Several codes as one readable list: ``child, parent`` -> ``Children, Parents``."""
    return ", ".join(label(code, kind) for code in (codes or []) if code not in (None, ""))


DATASET_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*:[a-z0-9_\-]+(?::[^\s]+)?")
SNAKE_CASE = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)+")


def dataset_label(key: str) -> str:
    """``hcc-social-care:episodes`` -> ``Hartshire County Council Children's Social Care: episodes``.

    A record key (``agency:dataset:source id``) keeps its source id, which an analyst needs to
    find the row in the agency's own system.
    """
    from wraparound.core.models import Agency

    parts = str(key).split(":", 2)
    if len(parts) < 2:
        return str(key)
    name = Agency.objects.filter(slug=parts[0]).values_list("name", flat=True).first()
    dataset = humanise(parts[1]).lower()
    words = f"{name or humanise(parts[0])}: {dataset}"
    return f"{words}, record {parts[2]}" if len(parts) == 3 else words


def catalogue_codes() -> set[str]:
    """Codes that read as codes (snake_case or upper-case with underscores), from every catalogue.

    Plain words that are also codes (``health``, ``police``) are left out: as visible text they
    read as English.
    """
    codes: set[str] = set()
    for name in CATALOGUES:
        codes |= {code for code in catalogue(name) if "_" in code or code.isupper()}
    return codes


# --- match evidence: the linkage model's comparison levels in an analyst's words -------------
# Splink names a comparison level after its SQL ("nhs_number_std is NULL", "Exact match on
# surname_std", "All other comparisons"); these say what it means for the two records. The
# field names (``EVIDENCE_NAMES``, ``evidence_name``) are in ``plain_words``, Django-free, so
# the linkage pipeline words its held-back reasons the same way.
_LEVELS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(?P<col>\w+) is NULL$", re.I), "no {field} on one side"),
    (re.compile(r"^Exact match on (?P<col>\w+)$", re.I), "same {field}"),
    (re.compile(r"^All other comparisons$", re.I), "{field} differs"),
    (
        re.compile(r"^Jaro[-_ ]?Winkler .*?(?P<col>\w+)? >= ?0?\.9\d*$", re.I),
        "{field} very similar",
    ),
    (re.compile(r"^Jaro[-_ ]?Winkler .*?>= ?0?\.[0-8]\d*$", re.I), "{field} similar"),
    (re.compile(r"^Damerau[-_ ]?Levenshtein .*?<= ?1$", re.I), "{field} one letter apart"),
    (re.compile(r"^Levenshtein .*?<= ?1$", re.I), "{field} one character apart"),
    (re.compile(r"^Levenshtein .*?<= ?(?P<n>\d+)$", re.I), "{field} a few characters apart"),
    (re.compile(r"^\((?P<col>\w+) = \w+\) AND .*$", re.I), "same {field} and similar address"),
)


def match_reason(level: object, comparison: object = "") -> str:
    """One comparison's outcome for a pair, in words (``no NHS number on one side``).

    ``comparison`` names the evidence (``nhs_number``); a level the model labelled in words
    already (``Same address``, ``Day and month swapped``) is kept as it is.
    """
    text = str(level).strip()
    for pattern, words in _LEVELS:
        match = pattern.match(text)
        if match:
            column = match.groupdict().get("col") or str(comparison)
            field = evidence_name(column or comparison)
            sentence = words.format(field=field.lower() if words[0] != "{" else field)
            return _restore_acronyms(sentence[:1].upper() + sentence[1:])
    return text


def _restore_acronyms(text: str) -> str:
    return text.replace("nhs number", "NHS number").replace("Nhs number", "NHS number")


# --- import mappings: what a column of an agency's file is read as ---------------------------
MAPPING_FIELDS = {
    "source_id": "Agency's person ID",
    "household_ref": "Agency's family or household reference",
    "first_name": "First name",
    "middle_names": "Middle names",
    "forenames": "Forenames (first and middle names)",
    "surname": "Surname",
    "full_name": "Full name (first name first)",
    "full_name_surname_first": "Full name (surname first)",
    "dob": "Date of birth",
    "sex": "Sex",
    "postcode": "Postcode",
    "address_line": "Address",
    "nhs_number": "NHS number",
    "upn": "Unique pupil number (UPN)",
    "recorded_at": "Date recorded",
    "event_kind": "Kind of event",
    "event_date": "Date of the event",
    "event_detail": "Event details",
    "ignore": "Not used",
}


def mapping_field(value: object) -> str:
    """A mapping's reading of a column in words: ``event:ae_injury`` -> ``Date of: A&E ...``."""
    text = str(value)
    if text.startswith("event:"):
        return f"Date of: {label(text.removeprefix('event:'), 'event_kind')}"
    if "," in text:
        return " and ".join(mapping_field(part.strip()) for part in text.split(","))
    return MAPPING_FIELDS.get(text, humanise(text))


def roles_plural(codes: Iterable[object] | None) -> str:
    """``["team_manager", "data_analyst"]`` -> ``team managers and data analysts``."""
    names = [f"{label(code, 'role')}s".lower() for code in (codes or [])]
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)
