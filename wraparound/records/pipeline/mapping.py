"""Column mappings: which of an agency's columns holds which standard field.

A mapping is data (YAML in wraparound/records/mappings/, or one a data analyst confirmed in
the web UI). For a new extract, `suggest_mapping` proposes one from the headers and the
values (date formats, sex codes, event wordings) for the analyst to confirm.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from wraparound.records.person_fields import PERSON_RECORD_FIELDS
from wraparound.records.pipeline.reading import RawTable
from wraparound.records.vocabulary import kind_keys

CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "catalogues"
MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "mappings"

# What a column may be read as: the agency's id, a person-record field (the one list), or
# a name written in one column that reading splits into first, middle and surname.
NAME_FORMS = ("forenames", "full_name", "full_name_surname_first")
PERSON_FIELDS = ("source_id", *PERSON_RECORD_FIELDS, *NAME_FORMS)
EVENT_FIELDS = ("event_kind", "event_date", "event_detail")
FIELDS = (*PERSON_FIELDS, *EVENT_FIELDS, "ignore")
SINGLE_USE = tuple(f for f in FIELDS if f != "ignore")
DATE_FORMATS = (
    "%d/%m/%Y",
    "%Y-%m-%d",
    "%d-%b-%Y",
    "%d.%m.%Y",
    "%Y%m%d",
    "%d %B %Y",
    "%d %b %Y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%m/%d/%Y",
    "%d/%m/%y",
)


class MappingError(ValueError):
    """A mapping is incomplete or inconsistent; the message says what to fix."""


def normalise(text: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(text).lower())


@dataclass
class Mapping:
    """How to read one agency dataset's columns into standard fields."""

    agency: str
    dataset: str
    rows: str = "people"  # "people" (one row per person) or "events" (one row per event)
    # header -> field, "field,field" (one column read as two fields, e.g. "source_id,upn"),
    # "event:<kind>" (a date column meaning one event) or "ignore"
    columns: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None  # for dob and recorded_at; None when cells are dates
    event_date_format: str | None = None
    # header -> strftime format for that one column (chosen from the file's own examples);
    # overrides date_format / event_date_format, so births and event dates can differ.
    column_formats: dict[str, str] = field(default_factory=dict)
    sex_values: dict[str, str] = field(default_factory=dict)
    event_values: dict[str, str] = field(default_factory=dict)  # agency wording -> kind

    def field_columns(self) -> dict[str, str]:
        """Standard field -> header, for the fields this mapping uses."""
        return {
            part.strip(): h
            for h, f in self.columns.items()
            if f != "ignore" and not f.startswith("event:")
            for part in f.split(",")
        }

    def format_for(self, header: str, *, event: bool = False) -> str | None:
        """The date format of ``header``: its own, else the event or birth dates' format.

        A date column that means one event (``event:<kind>``) falls back to the event dates'
        format before the births' one: an extract may write births 31/12/2010 and events
        2024-12-31.
        """
        if header in self.column_formats:
            return self.column_formats[header] or None
        if event and self.event_date_format:
            return self.event_date_format
        return self.date_format

    def event_columns(self) -> dict[str, str]:
        """Header -> event kind, for date columns that each mean one event."""
        return {h: f.split(":", 1)[1] for h, f in self.columns.items() if f.startswith("event:")}

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mapping:
        try:
            mapping = cls(
                agency=str(data["agency"]),
                dataset=str(data["dataset"]),
                rows=str(data.get("rows", "people")),
                columns={str(k): str(v) for k, v in (data.get("columns") or {}).items()},
                date_format=data.get("date_format"),
                event_date_format=data.get("event_date_format"),
                column_formats={
                    str(k): str(v) for k, v in (data.get("column_formats") or {}).items()
                },
                sex_values={str(k): str(v) for k, v in (data.get("sex_values") or {}).items()},
                event_values={str(k): str(v) for k, v in (data.get("event_values") or {}).items()},
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise MappingError(f"A mapping needs agency, dataset and columns ({exc}).") from exc
        return mapping

    def validate(self, event_kinds: frozenset[str]) -> None:
        """Raise MappingError unless the mapping can produce valid records and events."""
        where = f"Mapping for {self.agency}:{self.dataset}"
        if self.rows not in {"people", "events"}:
            raise MappingError(f"{where}: rows must be 'people' or 'events', not {self.rows!r}.")
        used: dict[str, str] = {}
        for header, target in self.columns.items():
            if target.startswith("event:"):
                if target.split(":", 1)[1] not in event_kinds:
                    raise MappingError(
                        f"{where}: column {header!r} names unknown event kind {target!r}."
                    )
                continue
            for part in (p.strip() for p in target.split(",")):
                if part not in FIELDS:
                    raise MappingError(
                        f"{where}: column {header!r} maps to unknown field {part!r}."
                    )
                if part in SINGLE_USE and part in used:
                    raise MappingError(
                        f"{where}: both {used[part]!r} and {header!r} map to {part}; choose one."
                    )
                used[part] = header
        if "source_id" not in used:
            raise MappingError(
                f"{where}: one column must hold the agency's own record id (source_id)."
            )
        if self.rows == "events" and not {"event_kind", "event_date"} <= set(used):
            raise MappingError(f"{where}: event rows need an event_kind and an event_date column.")
        for label, kind in self.event_values.items():
            if kind not in event_kinds:
                raise MappingError(
                    f"{where}: event wording {label!r} maps to unknown kind {kind!r}."
                )
        for raw, code in self.sex_values.items():
            if code not in {"F", "M", "U"}:
                raise MappingError(f"{where}: sex value {raw!r} must map to F, M or U.")


def mapping_path(agency: str, dataset: str) -> Path:
    return MAPPINGS_DIR / f"{agency}__{dataset}.yaml"


def load_mapping_file(path: Path) -> Mapping:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(f"Cannot read mapping {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise MappingError(f"Mapping {path} must be a YAML mapping.")
    return Mapping.from_dict(data)


def shipped_mapping(agency: str, dataset: str) -> Mapping | None:
    """The mapping file kept in the repository for this dataset, if there is one."""
    path = mapping_path(agency, dataset)
    return load_mapping_file(path) if path.exists() else None


def dump_mapping(mapping: Mapping) -> str:
    return yaml.safe_dump(mapping.as_dict(), sort_keys=False, allow_unicode=True)


@cache
def _synonyms() -> dict[str, Any]:
    data = yaml.safe_load((CATALOGUE_DIR / "header_synonyms.yaml").read_text(encoding="utf-8"))
    return data  # type: ignore[no-any-return]


def _guess_field(header: str, taken: set[str]) -> str:
    key = normalise(header)
    for fld, names in _synonyms()["fields"].items():
        if key in {normalise(n) for n in names} and fld not in taken:
            return str(fld)
    return "ignore"


def guess_date_format(values: list[Any]) -> str | None:
    """The first known format that parses every sampled value (None for real date cells)."""
    sample = [v for v in values if v not in (None, "")][:500]
    if not sample or all(isinstance(v, date | datetime) for v in sample):
        return None
    texts = [str(v).strip() for v in sample if not isinstance(v, date | datetime)]
    for fmt in DATE_FORMATS:
        try:
            for text in texts:
                datetime.strptime(text, fmt)
        except ValueError:
            continue
        return fmt
    return None


@dataclass(frozen=True)
class DateFormatChoice:
    """A date format an analyst can pick for a column, shown as the file writes it."""

    code: str  # strftime, or "" for spreadsheet dates / YYYY-MM-DD
    label: str


FORMAT_WORDS = {
    "%d": "day", "%m": "month", "%Y": "year", "%y": "year (2 digits)", "%b": "month name",
    "%B": "month name", "%H": "hour", "%M": "minute", "%S": "second",
}  # fmt: skip


def describe_format(fmt: str) -> str:
    """``%d/%m/%Y`` -> ``day/month/year``: a format in words, never strftime."""
    text = fmt
    for code, word in FORMAT_WORDS.items():
        text = text.replace(code, word)
    return text.replace("T", " then ")


def date_format_choices(values: list[Any]) -> list[DateFormatChoice]:
    """The formats that read every sampled value of a column, each with an example from it.

    Empty when the column holds no dates; a spreadsheet's own date cells need no format.
    """
    sample = [v for v in values if v not in (None, "")][:500]
    if not sample:
        return []
    if all(isinstance(v, date | datetime) for v in sample):
        return [DateFormatChoice("", "Dates stored as dates in the spreadsheet")]
    texts = [str(v).strip() for v in sample if not isinstance(v, date | datetime)]
    choices = []
    for fmt in DATE_FORMATS:
        try:
            for text in texts:
                datetime.strptime(text, fmt)
        except ValueError:
            continue
        choices.append(DateFormatChoice(fmt, f"{describe_format(fmt)}, like {texts[0]}"))
    return choices


def suggest_mapping(
    table: RawTable, *, agency: str, dataset: str, event_kinds: frozenset[str]
) -> Mapping:
    """A proposed mapping from headers and values, for a data analyst to confirm."""
    taken: set[str] = set()
    columns: dict[str, str] = {}
    for header in table.headers:
        guess = _guess_field(header, taken)
        if guess != "ignore":
            taken.add(guess)
        columns[header] = guess
    values = {h: [row[i] for row in table.rows[:2000]] for i, h in enumerate(table.headers)}
    by_field = {f: h for h, f in columns.items() if f != "ignore"}
    rows = "events" if {"event_kind", "event_date"} <= set(by_field) else "people"
    date_format = None
    for fld in ("dob", "recorded_at"):
        if fld in by_field:
            date_format = date_format or guess_date_format(values[by_field[fld]])
    event_date_format = (
        guess_date_format(values[by_field["event_date"]]) if "event_date" in by_field else None
    )
    sex_values: dict[str, str] = {}
    if "sex" in by_field:
        known = _synonyms()["sex_values"]
        for raw in {str(v).strip() for v in values[by_field["sex"]] if v not in (None, "")}:
            sex_values[raw] = str(known.get(normalise(raw), "U"))
    event_values: dict[str, str] = {}
    if "event_kind" in by_field:
        labels = _synonyms()["event_labels"]
        for raw in sorted(
            {str(v).strip() for v in values[by_field["event_kind"]] if v not in (None, "")}
        ):
            kind = str(labels.get(normalise(raw), "other"))
            event_values[raw] = kind if kind in event_kinds else "other"
    column_formats = {}
    for header in table.headers:
        found = date_format_choices(values[header])
        if found and found[0].code:
            column_formats[header] = found[0].code
    return Mapping(
        agency=agency,
        dataset=dataset,
        rows=rows,
        columns=columns,
        date_format=date_format,
        event_date_format=event_date_format,
        column_formats=column_formats,
        sex_values=sex_values,
        event_values=event_values,
    )


def event_kinds() -> frozenset[str]:
    """Keys of the shared event vocabulary (``records.vocabulary``)."""
    return kind_keys()
