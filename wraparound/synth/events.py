"""Dated events that families' latent needs cause in the agencies that would see them.

Each agency learns of only some needs (visibility), records events at a Poisson rate that
rises with the need's level, and also records background events for families with no such
need (noise). Families engaging with the planted-effect service have fewer need-driven
events after they engage.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from wraparound.synth.catalogues import Catalogues, DatasetShape, EventRule
from wraparound.synth.needs import STATUTORY_KINDS, FamilyTruth
from wraparound.synth.parameters import CountyParameters
from wraparound.synth.population import Population, day_number

# age at the event date, in years, that a subject must have
AGE_AT_EVENT = {
    "child": (0.0, 18.0),
    "school_age": (5.0, 17.0),
    "secondary": (11.0, 17.0),
    "under5": (0.0, 5.0),
    "young_person": (10.0, 18.0),
}
EVENT_SCHEMA = {
    "person_row": pl.Int64,
    "kind": pl.String,
    "label": pl.String,
    "day": pl.Int64,
    "detail": pl.String,
    "outcome": pl.String,
}


class _Subjects:
    """Candidate people per family for each kind of event subject."""

    def __init__(self, pop: Population, params: CountyParameters) -> None:
        p = pop.persons
        self.h = pop.families.height
        self.fam = p["family_pos"].to_numpy()
        self.age = p["age"].to_numpy()
        self.child = p["is_child"].to_numpy()
        self.female = (p["sex"] == "F").to_numpy()
        self.position = p["position"].to_numpy()
        self.as_of = day_number(params.as_of)
        self.years = params.years
        self._cache: dict[
            str, tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]
        ] = {}

    def candidates(
        self, subject: str
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(candidate person rows sorted by family, count per family, first index per family)."""
        if subject not in self._cache:
            if subject in AGE_AT_EVENT:
                lo, hi = AGE_AT_EVENT[subject]
                mask = self.child & (self.age >= lo) & (self.age < hi + self.years)
            elif subject == "adult":
                mask = ~self.child
            elif subject in {"mother", "expectant"}:
                mask = (self.position == 0) & self.female & ~self.child
            else:
                mask = np.ones(len(self.fam), dtype=bool)
            rows = np.nonzero(mask)[0]
            counts = np.bincount(self.fam[rows], minlength=self.h)
            self._cache[subject] = (rows, counts, np.cumsum(counts) - counts)
        return self._cache[subject]

    def pick(
        self, rng: np.random.Generator, subject: str, family: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int64]:
        rows, counts, starts = self.candidates(subject)
        offset = np.floor(rng.random(len(family)) * counts[family]).astype(np.int64)
        return rows[starts[family] + offset]

    def old_enough(
        self, subject: str, person: npt.NDArray[np.int64], day: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.bool_]:
        age_then = self.age[person] - (self.as_of - day) / 365.25
        lo, hi = AGE_AT_EVENT.get(subject, (0.0, 200.0))
        return (age_then >= lo) & (age_then < hi)


def _frame(
    person: npt.NDArray[np.int64],
    day: npt.NDArray[np.int64],
    rule_kind: str,
    label: str,
    detail: list[str | None],
    outcome: str | None,
) -> pl.DataFrame:
    n = len(person)
    return pl.DataFrame(
        {
            "person_row": person,
            "kind": [rule_kind] * n,
            "label": [label] * n,
            "day": day,
            "detail": detail,
            "outcome": [outcome] * n,
        },
        schema=EVENT_SCHEMA,
    )


def _rule_events(
    rng: np.random.Generator,
    rule: EventRule,
    *,
    subjects: _Subjects,
    lam: npt.NDArray[np.float64],
    start: int,
    end: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(family, person row, day) for Poisson-many events per family."""
    _, counts, _ = subjects.candidates(rule.subject)
    lam = np.where(counts > 0, lam, 0.0)
    n = rng.poisson(lam)
    family = np.repeat(np.arange(len(lam)), n)
    day = rng.integers(start, end, len(family))
    person = subjects.pick(rng, rule.subject, family)
    keep = subjects.old_enough(rule.subject, person, day)
    return family[keep], person[keep], day[keep]


def dataset_events(
    rng: np.random.Generator,
    params: CountyParameters,
    cat: Catalogues,
    ds: DatasetShape,
    pop: Population,
    truth: FamilyTruth,
    subjects: _Subjects,
) -> pl.DataFrame:
    """All events one agency dataset records for one chunk of families."""
    h = pop.families.height
    start, end = day_number(params.window_start), day_number(params.as_of)
    in_area = np.ones(h, dtype=bool)
    if ds.locality is not None:
        in_area = (pop.families["locality"] == ds.locality).to_numpy()
    visible = {o: rng.random(h) < ds.visibility for o in cat.outcomes}
    frames: list[pl.DataFrame] = []
    for rule in ds.events:
        if rule.subject == "expectant":
            frames.append(_booking_events(rng, params, rule, pop, subjects, in_area))
            continue
        if rule.outcome is not None and rule.rate > 0:
            j = cat.outcomes.index(rule.outcome)
            level = truth.levels[:, j].astype(float)
            lam = rule.rate * level * params.years * visible[rule.outcome] * in_area
            family, person, day = _rule_events(
                rng, rule, subjects=subjects, lam=lam, start=start, end=end
            )
            keep = _planted_effect(rng, params, ds, truth, family, day)
            frames.append(
                _frame(
                    person[keep],
                    day[keep],
                    rule.kind,
                    rule.label,
                    _details(rng, rule, int(keep.sum())),
                    rule.outcome,
                )
            )
        if rule.background > 0:
            lam = np.full(h, rule.background * params.years) * in_area
            family, person, day = _rule_events(
                rng, rule, subjects=subjects, lam=lam, start=start, end=end
            )
            frames.append(
                _frame(person, day, rule.kind, rule.label, _details(rng, rule, len(person)), None)
            )
    if ds.support_events:
        frames.append(_support_events(rng, params, ds, pop, truth, subjects))
    if not frames:
        return pl.DataFrame(schema=EVENT_SCHEMA)
    return pl.concat(frames)


def _details(rng: np.random.Generator, rule: EventRule, n: int) -> list[str | None]:
    if not rule.details:
        return [None] * n
    picks = rng.integers(0, len(rule.details), n)
    return [rule.details[i] or None for i in picks.tolist()]


def _planted_effect(
    rng: np.random.Generator,
    params: CountyParameters,
    ds: DatasetShape,
    truth: FamilyTruth,
    family: npt.NDArray[np.int64],
    day: npt.NDArray[np.int64],
) -> npt.NDArray[np.bool_]:
    """Thin need-driven events after a family engages with the effect service."""
    draw = rng.random(len(family))  # always drawn, so effect sizes compare like for like
    if ds.agency == params.effect_service:
        return np.ones(len(family), dtype=bool)
    after = truth.engaged[family] & (day >= truth.engagement_day[family])
    return ~(after & (draw < params.effect_size))


def _booking_events(
    rng: np.random.Generator,
    params: CountyParameters,
    rule: EventRule,
    pop: Population,
    subjects: _Subjects,
    in_area: npt.NDArray[np.bool_],
) -> pl.DataFrame:
    """Antenatal booking for expectant mothers, a few months before the as-of date."""
    expectant = pop.families["expectant"].to_numpy() & in_area
    _, counts, _ = subjects.candidates("expectant")
    family = np.nonzero(expectant & (counts > 0) & (rng.random(len(expectant)) < 0.95))[0]
    person = subjects.pick(rng, "expectant", family)
    day = day_number(params.as_of) - rng.integers(20, 180, len(family))
    return _frame(person, day, rule.kind, rule.label, [None] * len(person), "early_years")


def _support_events(
    rng: np.random.Generator,
    params: CountyParameters,
    ds: DatasetShape,
    pop: Population,
    truth: FamilyTruth,
    subjects: _Subjects,
) -> pl.DataFrame:
    """Referral, assessment and plan for every child of a statutorily supported family."""
    kinds = np.array([k if k in STATUTORY_KINDS else "" for k in truth.support_kind], dtype=object)
    supported = kinds != ""
    rows, counts, starts = subjects.candidates("child")
    family = np.repeat(np.arange(len(kinds)), np.where(supported, counts, 0))
    first = np.repeat(starts * supported, np.where(supported, counts, 0))
    within = np.arange(len(family)) - np.repeat(
        np.cumsum(np.where(supported, counts, 0)) - np.where(supported, counts, 0),
        np.where(supported, counts, 0),
    )
    person = rows[first + within]
    plan_day = truth.support_day[family]
    born = subjects.old_enough("child", person, plan_day)
    family, person, plan_day = family[born], person[born], plan_day[born]
    referral = plan_day - rng.integers(20, 60, len(family))
    assessment = plan_day - rng.integers(3, 20, len(family))
    plan_kinds = kinds[family].tolist()
    labels = ds.support_labels
    n = len(family)
    return pl.concat(
        [
            _frame(
                person,
                referral,
                "sc_referral",
                labels.get("referral", "Referral"),
                [None] * n,
                None,
            ),
            _frame(
                person,
                assessment,
                "sc_assessment",
                labels.get("assessment", "Assessment"),
                [None] * n,
                None,
            ),
            pl.DataFrame(
                {
                    "person_row": person,
                    "kind": plan_kinds,
                    "label": [labels.get(k, k) for k in plan_kinds],
                    "day": plan_day,
                    "detail": [None] * n,
                    "outcome": [None] * n,
                },
                schema=EVENT_SCHEMA,
            ),
        ]
    )


def subjects_for(pop: Population, params: CountyParameters) -> _Subjects:
    return _Subjects(pop, params)
