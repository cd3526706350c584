"""Agency records: who each agency holds, under its own ids, as it recorded them.

A person known to an agency gets a record (sometimes two: a duplicate registration) whose
name, date of birth and address are what was true, or mis-keyed, on the day the agency
recorded them. Rows are then the records themselves (people-as-rows) or one per event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import polars as pl

from wraparound.synth import noise
from wraparound.synth.catalogues import Catalogues, DatasetShape
from wraparound.synth.needs import FamilyTruth
from wraparound.synth.parameters import CountyParameters
from wraparound.synth.population import EPOCH, Population, day_number

WORKERS = (
    "J. Okafor",
    "S. Patel",
    "R. Hughes",
    "K. Brennan",
    "A. Lowe",
    "M. Fitzgerald",
    "T. Ward",
)


@dataclass
class Counters:
    """Per-dataset id sequences that continue across chunks."""

    records: dict[str, int] = field(default_factory=dict)
    households: dict[str, int] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)

    def take(self, table: dict[str, int], source: str, n: int) -> int:
        first = table.get(source, 0)
        table[source] = first + n
        return first


def _to_date(days: npt.NDArray[np.int64]) -> list[date | None]:
    return [None if d < -100_000 else EPOCH + timedelta(days=int(d)) for d in days.tolist()]


def coverage_records(
    ds: DatasetShape,
    params: CountyParameters,
    pop: Population,
    truth: FamilyTruth,
    rng: np.random.Generator,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], dict[str, npt.NDArray[np.int64]]]:
    """People-as-rows coverage: (person rows, recorded day, event kind -> event day)."""
    p = pop.persons
    fam = p["family_pos"].to_numpy()
    age = p["age"].to_numpy()
    child = p["is_child"].to_numpy()
    position = p["position"].to_numpy()
    n = p.height
    events: dict[str, npt.NDArray[np.int64]] = {}
    if ds.coverage == "school_age_children":
        rows = np.nonzero(child & (age >= 4.5) & (age < 16.5))[0]
        recorded = np.full(len(rows), day_number(params.as_of) - 180)
    elif ds.coverage == "early_help_families":
        eh = np.array([k == "early_help" for k in truth.support_kind])
        rows = np.nonzero(eh[fam] & (child | (position <= 1)))[0]
        recorded = truth.support_day[fam[rows]] - rng.integers(0, 14, len(rows))
        events = {
            kind: truth.support_day[fam[rows]] + rng.integers(0, 30, len(rows))
            for kind in ds.event_columns.values()
        }
    else:  # engaged_families
        rows = np.nonzero(truth.engaged[fam] & (child | (position == 0)))[0]
        recorded = truth.engagement_day[fam[rows]] - rng.integers(7, 40, len(rows))
        events = dict.fromkeys(ds.event_columns.values(), truth.engagement_day[fam[rows]])
    born = (age[rows] - (day_number(params.as_of) - recorded) / 365.25) >= 0
    del n
    return rows[born], recorded[born], {k: v[born] for k, v in events.items()}


def _year_group(dob: npt.NDArray[np.int64], as_of: date) -> list[str]:
    year = as_of.year if as_of.month >= 9 else as_of.year - 1
    cutoff = day_number(date(year, 8, 31))
    group = np.floor((cutoff - dob) / 365.25).astype(int) - 4
    return ["R" if g <= 0 else str(min(g, 13)) for g in group.tolist()]


def identity_as_recorded(
    ds: DatasetShape,
    cat: Catalogues,
    params: CountyParameters,
    pop: Population,
    person: npt.NDArray[np.int64],
    recorded: npt.NDArray[np.int64],
    rng: np.random.Generator,
) -> pl.DataFrame:
    """Names, date of birth and address as this agency holds them for each record."""
    p = pop.persons
    f = pop.families
    fam = p["family_pos"].to_numpy()[person]
    n = len(person)

    surname = np.array(p["surname"].to_list(), dtype=object)[person]
    previous = np.array(p["previous_surname"].to_list(), dtype=object)[person]
    changed_day = p["surname_changed_day"].to_numpy()[person]
    use_previous = (changed_day >= 0) & (recorded < changed_day)
    true_surname: list[str | None] = np.where(use_previous, previous, surname).tolist()

    given: list[str] = np.array(p["first_name"].to_list(), dtype=object)[person].tolist()
    given = noise.apply_nicknames(given, ds.nickname_rate, cat.nicknames, rng)
    first = noise.apply_typos(list[str | None](given), ds.typo_rate, rng)
    recorded_surname = noise.apply_typos(true_surname, ds.typo_rate, rng)
    middle = np.array(p["middle_names"].to_list(), dtype=object)[person].tolist()

    moved_day = f["moved_on_day"].to_numpy()[fam]
    stale = rng.random(n) < ds.stale_address_rate
    old = (moved_day >= 0) & ((recorded < moved_day) | stale)
    address = np.where(
        old,
        np.array(f["previous_address_line"].to_list(), dtype=object)[fam],
        np.array(f["address_line"].to_list(), dtype=object)[fam],
    ).tolist()
    postcode = np.where(
        old,
        np.array(f["previous_postcode"].to_list(), dtype=object)[fam],
        np.array(f["postcode"].to_list(), dtype=object)[fam],
    ).tolist()
    squash = rng.random(n) < 0.1
    postcode = [
        pc.replace(" ", "") if s and pc else pc
        for pc, s in zip(postcode, squash.tolist(), strict=True)
    ]

    dob = noise.dob_errors(p["dob_day"].to_numpy()[person], ds.dob_error_rate, rng)
    position = p["position"].to_numpy()[person]
    female = p["sex"].to_numpy()[person] == "F"
    is_child = p["is_child"].to_numpy()[person]
    sex = np.where(female, "F", "M")
    sex = np.where(rng.random(n) < 0.01, "U", sex)

    def missing(name: str, values: list[str | None]) -> list[str | None]:
        return noise.blank(values, ds.missing.get(name, 0.0), rng)

    frame = pl.DataFrame(
        {
            "person_row": person,
            "recorded_day": recorded,
            "first_name": missing("first_name", first),
            "middle_names": missing("middle_names", middle),
            "surname": missing(
                "surname", [s.upper() if ds.upper_surname and s else s for s in recorded_surname]
            ),
            "dob_day": np.where(rng.random(n) < ds.missing.get("dob", 0.0), -999_999, dob),
            "sex": missing("sex", sex.tolist()),
            "address_line": missing("address_line", address),
            "postcode": missing("postcode", postcode),
            "nhs_number": missing(
                "nhs_number", np.array(p["nhs_number"].to_list(), dtype=object)[person].tolist()
            ),
            "upn": missing("upn", np.array(p["upn"].to_list(), dtype=object)[person].tolist()),
            "role": _roles(ds, position, female, is_child),
            "year_group": _year_group(p["dob_day"].to_numpy()[person], params.as_of),
            "worker": [WORKERS[i] for i in rng.integers(0, len(WORKERS), n).tolist()],
        },
        schema_overrides=dict.fromkeys(
            (
                "first_name",
                "middle_names",
                "surname",
                "sex",
                "address_line",
                "postcode",
                "nhs_number",
                "upn",
            ),
            pl.String,
        ),
    )
    return frame


def _roles(
    ds: DatasetShape,
    position: npt.NDArray[np.int8],
    female: npt.NDArray[np.bool_],
    child: npt.NDArray[np.bool_],
) -> list[str]:
    if ds.agency.startswith("home-start"):
        names = {"F": "Mum", "M": "Dad"}
    else:
        names = {"F": "Mother", "M": "Father"}
    out = []
    for pos, fem, ch in zip(position.tolist(), female.tolist(), child.tolist(), strict=True):
        if ch:
            out.append("Child")
        elif pos == 0:
            out.append(names["F" if fem else "M"])
        elif pos == 1:
            out.append("Partner")
        else:
            out.append("Grandparent")
    return out
