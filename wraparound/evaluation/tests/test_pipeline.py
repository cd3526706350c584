"""The pipeline, as a specification: matching recovers a planted effect the naive
comparison gets wrong; a null is "no evidence"; results are withheld with reasons."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest

from wraparound.evaluation.pipeline import OutcomeSpec, PlanSpec, evaluate
from wraparound.evaluation.pipeline.design import build_cohort
from wraparound.evaluation.pipeline.estimation import e_value
from wraparound.evaluation.tests.frames import INTAKE, county

SPEC = PlanSpec(
    treatment_agency="hcc-social-care",
    treatment_kinds=("edge_of_care_support",),
    intake_start=INTAKE[0],
    intake_end=INTAKE[1],
    child_min_age=10,
    child_max_age=17,
    pre_window_days=365,
    outcomes=(OutcomeSpec("social_care_referral", "Referral", ("sc_referral",)),),
    covariates=("prior_events", "prior_agency:*", "children", "deprivation", "locality:*"),
    exact_fields=("locality",),
)


def _run(reduction: float, **spec: object) -> tuple[dict, float]:
    made = county(reduction=reduction)
    result = evaluate(
        made.events, made.membership, made.deprivation, dataclasses.replace(SPEC, **spec)
    )
    return result, made.true_effect


def test_matching_recovers_the_planted_effect_that_the_naive_comparison_gets_wrong() -> None:
    result, truth = _run(0.5)
    assert not result["withheld"], result["reasons"]
    outcome = result["outcomes"][0]
    matched, naive = outcome["matched"], outcome["naive"]
    assert matched["ci_low"] <= truth <= matched["ci_high"]
    assert not naive["ci_low"] <= truth <= naive["ci_high"]
    assert (
        naive["estimate"] > truth
    )  # needier families are referred: the naive view understates the benefit
    assert all(abs(row["smd_after"]) < 0.1 for row in result["balance"])
    assert max(abs(row["smd_before"]) for row in result["balance"]) > 0.3


def test_a_service_that_does_nothing_is_reported_as_no_evidence_of_an_effect() -> None:
    result, truth = _run(0.0)
    outcome = result["outcomes"][0]
    assert truth == 0
    assert outcome["verdict"] == "no_evidence"
    assert outcome["matched"]["ci_low"] <= 0 <= outcome["matched"]["ci_high"]


def test_results_are_withheld_with_the_reason_when_groups_are_too_small() -> None:
    result, _ = _run(0.5, min_group_size=5000)
    assert result["withheld"]
    assert "the plan needs at least 5000" in result["reasons"][0]


def test_results_are_withheld_when_balance_is_not_met() -> None:
    result, _ = _run(0.5, caliper_sd=1.0, covariates=("prior_events", "deprivation"))
    unbalanced = [r for r in result["balance"] if not r["balanced"]]
    assert result["withheld"] == bool(unbalanced)
    if unbalanced:
        assert any("Balance not met" in reason for reason in result["reasons"])


def test_families_who_started_before_the_intake_period_are_in_neither_group() -> None:
    made = county()
    early = made.events.head(1).with_columns(
        kind=pl.lit("edge_of_care_support"),
        agency_slug=pl.lit("hcc-social-care"),
        event_date=pl.lit(dt.date(2024, 1, 5)),
        event_key=pl.lit("early"),
    )
    events = made.events.vstack(early)
    cohort = build_cohort(events, made.membership, made.deprivation, SPEC)
    assert cohort.excluded["started before the intake period"] == 1


def test_outcome_windows_past_the_latest_event_are_refused() -> None:
    made = county()
    with pytest.raises(ValueError, match="past the latest event"):
        build_cohort(
            made.events,
            made.membership,
            made.deprivation,
            SPEC,
            last_event_date=dt.date(2024, 12, 31),
        )


def test_e_value_matches_vanderweele_and_ding() -> None:
    assert e_value(2.0, 1.5, 2.5)["point"] == pytest.approx(2 + 2**0.5)
    assert e_value(0.5, 0.3, 0.8)["point"] == pytest.approx(2 + 2**0.5)
    assert e_value(0.8, 0.6, 1.1)["interval"] == pytest.approx(1.0)
