"""The synthetic county's catalogues: data files loaded and validated once.

Everything that describes Hartshire (agencies, names, wards, the shape of each agency's
extract, how needs arise) lives in YAML next to this module, so that changing the county is
an edit to data, not to code. Validation here fails loudly with the file and entry at fault.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from wraparound.core.headline_outcomes import outcome_keys
from wraparound.records.person_fields import PERSON_RECORD_FIELDS
from wraparound.records.vocabulary import kind_keys

CATALOGUE_DIR = Path(__file__).parent / "catalogues"

AGENCY_KINDS = frozenset(
    {
        "social_care",
        "early_help",
        "health",
        "police",
        "education",
        "housing",
        "youth_justice",
        "voluntary",
    }
)
SUBJECTS = frozenset(
    {
        "child",
        "school_age",
        "secondary",
        "under5",
        "young_person",
        "adult",
        "mother",
        "any",
        "expectant",
    }
)
COVERAGES = frozenset({"school_age_children", "early_help_families", "engaged_families"})
# What an extract column may hold: a person-record field (the one list), the agency's id,
# a name written in one column, or an event's or the agency's own detail.
PERSON_FIELDS = frozenset(
    {
        "source_id",
        *PERSON_RECORD_FIELDS,
        "forenames",
        "full_name_sf",
        "full_name",
        "event_label",
        "event_date",
        "event_detail",
        "event_ref",
        "year_group",
        "worker",
        "role",
    }
)


class CatalogueError(ValueError):
    """A catalogue file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Agency:
    slug: str
    name: str
    kind: str
    is_statutory: bool


@dataclass(frozen=True)
class EventRule:
    """How one family need (or background noise) shows up as events in one dataset."""

    kind: str
    label: str
    outcome: str | None
    subject: str
    rate: float
    background: float = 0.0
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class DatasetShape:
    """One agency dataset: its file format and the columns in the agency's own words."""

    agency: str
    kind: str
    format: str
    encoding: str | None
    delimiter: str
    rows: str
    date_format: str | None
    event_date_format: str | None
    id_prefix: str
    id_digits: int
    id_use: str | None
    household_prefix: str | None
    household_digits: int
    sex_codes: dict[str, str]
    columns: tuple[tuple[str, str], ...]
    events: tuple[EventRule, ...]
    coverage: str | None
    locality: str | None
    missing: dict[str, float]
    visibility: float
    dup_rate: float
    typo_rate: float
    nickname_rate: float
    dob_error_rate: float
    stale_address_rate: float
    upper_surname: bool
    exact_duplicate_rows: float
    support_events: bool
    support_labels: dict[str, str] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return f"{self.agency}:{self.kind}"

    @property
    def file_name(self) -> str:
        return f"{self.agency}__{self.kind}.{self.format}"

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(f for _, f in self.columns)

    @property
    def event_columns(self) -> dict[str, str]:
        """Header -> event kind for people-as-rows datasets that date an event in a column."""
        return {h: f.split(":", 1)[1] for h, f in self.columns if f.startswith("event:")}


@dataclass(frozen=True)
class Ward:
    name: str
    locality: str
    deprivation_decile: int
    rural: bool
    weight: float
    district: int


@dataclass(frozen=True)
class NeedModel:
    outcome: str
    weight: float
    deprivation_gradient: float
    requires: str


@dataclass(frozen=True)
class Catalogues:
    agencies: tuple[Agency, ...]
    datasets: tuple[DatasetShape, ...]
    outcomes: tuple[str, ...]
    needs: tuple[NeedModel, ...]
    wards: tuple[Ward, ...]
    postcode_area: str
    street_names: tuple[str, ...]
    street_suffixes: tuple[str, ...]
    surnames: dict[str, float]
    female_names: dict[str, tuple[float, float]]
    male_names: dict[str, tuple[float, float]]
    nicknames: dict[str, tuple[str, ...]]
    event_kinds: frozenset[str]

    def agency(self, slug: str) -> Agency:
        for agency in self.agencies:
            if agency.slug == slug:
                return agency
        raise CatalogueError(f"agencies.yaml has no agency {slug!r}")


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"cannot read catalogue {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise CatalogueError(f"catalogue {path} must be a mapping at the top level")
    return data


def load_outcome_keys() -> tuple[str, ...]:
    """The ten Supporting Families headline outcome keys, in framework order."""
    return outcome_keys()


def load_event_kinds() -> frozenset[str]:
    return kind_keys()


def _dataset(raw: dict[str, Any], defaults: dict[str, Any]) -> DatasetShape:
    where = f"extracts.yaml dataset {raw.get('agency')}:{raw.get('kind')}"
    ident = raw.get("id") or {}
    household = raw.get("household_id") or {}
    columns = tuple((str(h), str(f)) for h, f in raw["columns"])
    for header, fld in columns:
        base = fld.split(":", 1)[0]
        if fld not in PERSON_FIELDS and base not in {"event", "constant"}:
            raise CatalogueError(f"{where}: column {header!r} has unknown field {fld!r}")
    events = tuple(
        EventRule(
            kind=str(e["kind"]),
            label=str(e["label"]),
            outcome=e.get("outcome"),
            subject=str(e["subject"]),
            rate=float(e.get("rate", 0.0)),
            background=float(e.get("background", 0.0)),
            details=tuple(str(d) for d in e.get("details", ())),
        )
        for e in raw.get("events", ())
    )

    def setting(name: str) -> Any:
        return raw.get(name, defaults.get(name))

    return DatasetShape(
        agency=str(raw["agency"]),
        kind=str(raw["kind"]),
        format=str(raw["format"]),
        encoding=raw.get("encoding"),
        delimiter=str(raw.get("delimiter", ",")),
        rows=str(raw["rows"]),
        date_format=raw.get("date_format"),
        event_date_format=raw.get("event_date_format") or raw.get("date_format"),
        id_prefix=str(ident.get("prefix", "")),
        id_digits=int(ident.get("digits", 6)),
        id_use=ident.get("use"),
        household_prefix=household.get("prefix"),
        household_digits=int(household.get("digits", 6)),
        sex_codes={str(k): str(v) for k, v in raw["sex_codes"].items()},
        columns=columns,
        events=events,
        coverage=raw.get("coverage"),
        locality=raw.get("locality"),
        missing={str(k): float(v) for k, v in (raw.get("missing") or {}).items()},
        visibility=float(setting("visibility")),
        dup_rate=float(setting("dup_rate")),
        typo_rate=float(setting("typo_rate")),
        nickname_rate=float(setting("nickname_rate")),
        dob_error_rate=float(setting("dob_error_rate")),
        stale_address_rate=float(setting("stale_address_rate")),
        upper_surname=bool(raw.get("upper_surname", False)),
        exact_duplicate_rows=float(raw.get("exact_duplicate_rows", 0.0)),
        support_events=bool(raw.get("support_events", False)),
        support_labels={str(k): str(v) for k, v in (raw.get("support_labels") or {}).items()},
    )


def _validate(cat: Catalogues) -> None:
    slugs = {a.slug for a in cat.agencies}
    for agency in cat.agencies:
        if agency.kind not in AGENCY_KINDS:
            raise CatalogueError(f"agencies.yaml: {agency.slug} has unknown kind {agency.kind!r}")
    seen: set[str] = set()
    for ds in cat.datasets:
        where = f"extracts.yaml dataset {ds.source}"
        if ds.agency not in slugs:
            raise CatalogueError(f"{where}: agency is not in agencies.yaml")
        if ds.source in seen:
            raise CatalogueError(f"{where}: defined twice")
        seen.add(ds.source)
        if ds.format not in {"csv", "xlsx"} or ds.rows not in {"people", "events"}:
            raise CatalogueError(f"{where}: format must be csv|xlsx and rows people|events")
        if ds.rows == "people" and ds.coverage not in COVERAGES:
            raise CatalogueError(f"{where}: people datasets need a coverage in {sorted(COVERAGES)}")
        if "source_id" not in ds.fields:
            raise CatalogueError(f"{where}: needs a source_id column")
        for rule in ds.events:
            if rule.kind not in cat.event_kinds:
                raise CatalogueError(f"{where}: event kind {rule.kind!r} not in the vocabulary")
            if rule.outcome is not None and rule.outcome not in cat.outcomes:
                raise CatalogueError(f"{where}: unknown outcome {rule.outcome!r}")
            if rule.subject not in SUBJECTS:
                raise CatalogueError(f"{where}: unknown subject {rule.subject!r}")
        for kind in ds.event_columns.values():
            if kind not in cat.event_kinds:
                raise CatalogueError(f"{where}: event column kind {kind!r} not in the vocabulary")
    if {n.outcome for n in cat.needs} != set(cat.outcomes):
        raise CatalogueError("needs_model.yaml must describe exactly the ten outcomes")


@cache
def load_catalogues() -> Catalogues:
    """Load and validate every catalogue once per process."""
    agencies_raw = _read(CATALOGUE_DIR / "agencies.yaml")["agencies"]
    extracts_raw = _read(CATALOGUE_DIR / "extracts.yaml")
    localities = _read(CATALOGUE_DIR / "localities.yaml")
    firsts = _read(CATALOGUE_DIR / "first_names.yaml")
    needs_raw = _read(CATALOGUE_DIR / "needs_model.yaml")["outcomes"]
    wards = tuple(
        Ward(
            name=str(w["name"]),
            locality=str(loc["name"]),
            deprivation_decile=int(w["deprivation_decile"]),
            rural=bool(w["rural"]),
            weight=float(w["weight"]),
            district=int(w["district"]),
        )
        for loc in localities["localities"]
        for w in loc["wards"]
    )
    cat = Catalogues(
        agencies=tuple(
            Agency(
                slug=str(a["slug"]),
                name=str(a["name"]),
                kind=str(a["kind"]),
                is_statutory=bool(a["is_statutory"]),
            )
            for a in agencies_raw
        ),
        datasets=tuple(_dataset(d, extracts_raw["defaults"]) for d in extracts_raw["datasets"]),
        outcomes=load_outcome_keys(),
        needs=tuple(
            NeedModel(
                outcome=str(k),
                weight=float(v["weight"]),
                deprivation_gradient=float(v["deprivation_gradient"]),
                requires=str(v["requires"]),
            )
            for k, v in needs_raw.items()
        ),
        wards=wards,
        postcode_area=str(localities["postcode_area"]),
        street_names=tuple(str(s) for s in localities["street_names"]),
        street_suffixes=tuple(str(s) for s in localities["street_suffixes"]),
        surnames={
            str(k): float(v) for k, v in _read(CATALOGUE_DIR / "surnames.yaml")["surnames"].items()
        },
        female_names={str(k): (float(v[0]), float(v[1])) for k, v in firsts["female"].items()},
        male_names={str(k): (float(v[0]), float(v[1])) for k, v in firsts["male"].items()},
        nicknames={
            str(k): tuple(str(n) for n in v)
            for k, v in _read(CATALOGUE_DIR / "nicknames.yaml")["nicknames"].items()
        },
        event_kinds=load_event_kinds(),
    )
    _validate(cat)
    return cat
