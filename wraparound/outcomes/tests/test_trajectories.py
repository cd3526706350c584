"""The planted trajectories: their own stream, the framework's kinds, and scoring them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from wraparound.outcomes.bench import score_county
from wraparound.outcomes.framework import framework_for
from wraparound.synth.county import generate_county
from wraparound.synth.parameters import CountyParameters
from wraparound.synth.trajectories import CONCERN_KIND, TRAJECTORIES, plant_trajectories


def test_each_planted_concern_kind_is_a_concern_of_that_outcomes_first_descriptor() -> None:
    framework = framework_for(dt.date(2026, 1, 1))
    for outcome, kind in CONCERN_KIND.items():
        first = next(d for d in framework.descriptors if d.outcome == outcome)
        assert kind in first.concern_kinds, outcome


def test_trajectories_are_planted_with_truth_and_scored(tmp_path: Path) -> None:
    params = CountyParameters(households=1500, seed=5, chunk_households=500)
    summary = generate_county(params, tmp_path)
    assert summary.manifest["truth"]["trajectories"]["rows"] > 0
    truth = pl.read_parquet(tmp_path / "truth" / "trajectories.parquet")
    assert set(truth["trajectory"].unique()) <= set(TRAJECTORIES)
    assert not truth.filter(pl.col("sustained") & (pl.col("status_at_closure") != "met")).height
    figures = score_county(tmp_path, as_of=params.as_of, seed=params.seed)
    assert figures["engaged_families"] == truth["family_id"].n_unique()
    assert 0 <= figures["agreement_overall"] <= 1


def test_planting_again_gives_the_same_truth_and_leaves_the_extracts_alone(tmp_path: Path) -> None:
    params = CountyParameters(households=800, seed=9, chunk_households=400)
    generate_county(params, tmp_path)
    extracts = {p.name: p.read_bytes() for p in (tmp_path / "extracts").iterdir()}
    first = pl.read_parquet(tmp_path / "truth" / "trajectories.parquet")
    plant_trajectories(tmp_path, seed=params.seed, as_of=params.as_of)
    assert pl.read_parquet(tmp_path / "truth" / "trajectories.parquet").equals(first)
    assert {p.name: p.read_bytes() for p in (tmp_path / "extracts").iterdir()} == extracts
