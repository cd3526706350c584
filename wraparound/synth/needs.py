"""Latent family needs, the (imperfect) support families receive, and engagement.

The truth the rest of Wraparound is tested against: which families really have which
Supporting Families needs, which are at risk (three or more needs), who actually gets
statutory support (mostly not the at-risk: the targeting gap), and who engages with the
planted-effect service.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from wraparound.synth.catalogues import Catalogues
from wraparound.synth.parameters import CountyParameters
from wraparound.synth.population import Population, day_number

STATUTORY_KINDS = ("child_in_need", "child_protection", "looked_after")


@dataclass
class FamilyTruth:
    """Per-family arrays aligned with Population.families rows."""

    levels: npt.NDArray[np.int8]  # families x outcomes, 0 = no need
    at_risk: npt.NDArray[np.bool_]
    support_kind: list[str | None]
    support_day: npt.NDArray[np.int64]  # -1 when no support
    engaged: npt.NDArray[np.bool_]
    engagement_eligible: npt.NDArray[np.bool_]
    engagement_day: npt.NDArray[np.int64]  # -1 when not engaged


def member_flags(pop: Population) -> dict[str, npt.NDArray[np.bool_]]:
    """Which kinds of member each family has, for need eligibility and event subjects."""
    p = pop.persons
    h = pop.families.height
    fam = p["family_pos"].to_numpy()
    age = p["age"].to_numpy()
    child = p["is_child"].to_numpy()
    female = (p["sex"] == "F").to_numpy()

    def any_in_family(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        return np.bincount(fam[mask], minlength=h) > 0

    expectant = pop.families["expectant"].to_numpy()
    return {
        "school_age": any_in_family(child & (age >= 4) & (age < 18)),
        "under5_or_expectant": any_in_family(child & (age < 6)) | expectant,
        "child": any_in_family(child),
        "adult_female": any_in_family(~child & female),
        "any": np.ones(h, dtype=bool),
    }


def assign_needs(
    rng: np.random.Generator, params: CountyParameters, cat: Catalogues, pop: Population
) -> FamilyTruth:
    """Draw needs, support and engagement for one chunk of families."""
    fams = pop.families
    h = fams.height
    deprivation = fams["deprivation"].to_numpy()
    n_children = fams["n_children"].to_numpy().astype(np.int64)
    expectant = fams["expectant"].to_numpy()
    lone = (fams["household_type"] == 3).to_numpy()
    sf_family = (n_children > 0) | expectant
    flags = member_flags(pop)

    risk = 1.2 * deprivation + 0.6 * lone + 0.3 * (n_children >= 3) + rng.normal(0, 1, h)
    at_risk = sf_family & (risk > _threshold(risk, n_children, sf_family, params.at_risk_rate))

    n_needs = np.where(
        at_risk,
        3 + rng.binomial(4, 0.3, h),
        np.where(sf_family, rng.choice([0, 1, 2], size=h, p=[0.55, 0.3, 0.15]), 0),
    )
    log_w = np.full((h, len(cat.outcomes)), -np.inf)
    for j, model in enumerate(cat.needs):
        eligible = flags[model.requires]
        w = model.weight * (1 + model.deprivation_gradient * deprivation)
        log_w[:, j] = np.where(eligible, np.log(w), -np.inf)
    keys = log_w + rng.gumbel(size=log_w.shape)  # Gumbel top-k = weighted sampling w/o replacement
    order = np.argsort(-keys, axis=1)
    rank = np.argsort(order, axis=1)
    chosen = (rank < n_needs[:, None]) & np.isfinite(log_w)
    level = np.where(at_risk, 2 + rng.binomial(2, 0.45, h), 1 + rng.binomial(1, 0.25, h))
    jitter = rng.random((h, len(cat.outcomes))) < 0.25
    levels = np.where(chosen, (level[:, None] + np.where(jitter, -1, 0)).clip(1, 4), 0).astype(
        np.int8
    )
    at_risk = at_risk & ((levels > 0).sum(axis=1) >= 3)

    support_kind, support_day = _support(rng, params, at_risk, n_children)
    eligible = flags["under5_or_expectant"]
    p_engage = params.engagement_rate * np.where((levels > 0).any(axis=1), 1.3, 0.7)
    engaged = eligible & (rng.random(h) < p_engage.clip(0, 1))
    start = day_number(params.window_start)
    latest = day_number(params.as_of) - 90
    engagement_day = np.where(engaged, rng.integers(start, latest, h), -1)
    return FamilyTruth(
        levels=levels,
        at_risk=at_risk,
        support_kind=support_kind,
        support_day=support_day,
        engaged=engaged,
        engagement_eligible=eligible,
        engagement_day=engagement_day,
    )


def _threshold(
    risk: npt.NDArray[np.float64],
    weight: npt.NDArray[np.int64],
    eligible: npt.NDArray[np.bool_],
    share: float,
) -> float:
    """Risk score above which the given share of children (the weight) lies."""
    r, w = risk[eligible], weight[eligible]
    if w.sum() == 0:
        return float("inf")
    order = np.argsort(-r)
    cumulative = np.cumsum(w[order]) / w.sum()
    cut = int(np.searchsorted(cumulative, share))
    return float(r[order][min(cut, len(r) - 1)])


def _support(
    rng: np.random.Generator,
    params: CountyParameters,
    at_risk: npt.NDArray[np.bool_],
    n_children: npt.NDArray[np.int64],
) -> tuple[list[str | None], npt.NDArray[np.int64]]:
    """Statutory support that reaches only some of the at-risk, plus some early help."""
    h = len(at_risk)
    p_at = params.statutory_support_rate * params.support_precision / params.at_risk_rate
    p_not = (
        params.statutory_support_rate * (1 - params.support_precision) / (1 - params.at_risk_rate)
    )
    with_children = n_children > 0
    statutory = with_children & (rng.random(h) < np.where(at_risk, p_at, p_not))
    u = rng.random(h)
    kind_idx = np.where(
        at_risk,
        (u > 0.5).astype(int) + (u > 0.85),  # CIN 50%, CP 35%, LAC 15%
        (u > 0.8).astype(int) + (u > 0.95),  # CIN 80%, CP 15%, LAC 5%
    )
    early_help = (
        with_children
        & ~statutory
        & (rng.random(h) < params.early_help_rate * np.where(at_risk, 2.0, 0.75))
    )
    kinds: list[str | None] = [
        STATUTORY_KINDS[k] if s else ("early_help" if e else None)
        for k, s, e in zip(kind_idx.tolist(), statutory.tolist(), early_help.tolist(), strict=True)
    ]
    start = day_number(params.window_start)
    day = np.where(statutory | early_help, rng.integers(start, day_number(params.as_of), h), -1)
    return kinds, day


def needs_frame(pop: Population, truth: FamilyTruth, outcomes: tuple[str, ...]) -> pl.DataFrame:
    """truth/needs rows: one per family and outcome."""
    h = pop.families.height
    levels = truth.levels.reshape(-1)
    return pl.DataFrame(
        {
            "family_id": np.repeat(pop.families["family_id"].to_numpy(), len(outcomes)),
            "outcome": np.tile(np.array(outcomes), h),
            "has_need": levels > 0,
            "level": pl.Series(levels, dtype=pl.Int8),
        }
    ).with_columns(pl.when(pl.col("has_need")).then(pl.col("level")).otherwise(None).alias("level"))
