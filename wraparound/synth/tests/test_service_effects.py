"""Planted services: own random stream, known truth, selection by need."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from wraparound.synth import county as county_module
from wraparound.synth.county import generate_county
from wraparound.synth.parameters import CountyParameters
from wraparound.synth.service_effects import PlantedChunk, load_planted

PARAMS = CountyParameters(households=4000, seed=12, chunk_households=2000)


@pytest.fixture(scope="module")
def planted_county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("planted")
    generate_county(PARAMS, out)
    return out


def test_planting_leaves_every_other_extract_byte_for_byte_unchanged(
    planted_county: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_planting(params, cat, *, pieces, **_: object) -> PlantedChunk:  # type: ignore[no-untyped-def]
        return PlantedChunk(pieces=pieces, truth=pl.DataFrame())

    monkeypatch.setattr(county_module, "plant", no_planting)
    generate_county(PARAMS, tmp_path)
    planted_sources = {s.dataset.replace(":", "__") for s in load_planted().services}
    effect_source = "hcc-social-care__episodes"
    for path in sorted((tmp_path / "extracts").iterdir()):
        if path.stem in planted_sources:
            continue
        planted = (planted_county / "extracts" / path.name).read_bytes()
        if path.stem == effect_source:  # the working service removed some referrals, nothing else
            before, after = path.read_text().splitlines(), planted.decode().splitlines()
            assert len(after) < len(before)
            assert set(after) <= set(before)
        else:
            assert planted == path.read_bytes(), path.name


def test_truth_records_who_started_and_the_outcome_with_and_without_the_service(
    planted_county: Path,
) -> None:
    truth = pl.read_parquet(planted_county / "truth" / "service_effects.parquet")
    treated = truth.filter("treated")
    assert set(truth["service"]) == {"edge_of_care", "young_victims"}
    assert treated["start_date"].null_count() == 0
    working = treated.filter(pl.col("service") == "edge_of_care")
    null = treated.filter(pl.col("service") == "young_victims")
    assert (working["outcome_events_with"] <= working["outcome_events_without"]).all()
    assert working["outcome_events_with"].sum() < working["outcome_events_without"].sum()
    assert (null["outcome_events_with"] == null["outcome_events_without"]).all()


def test_each_starter_appears_in_the_service_extract_with_the_start_date(
    planted_county: Path,
) -> None:
    truth = pl.read_parquet(planted_county / "truth" / "service_effects.parquet").filter("treated")
    events = pl.read_parquet(planted_county / "truth" / "events.parquet")
    starts = (
        events.filter(pl.col("kind") == "edge_of_care_support")
        .select("family_id", "event_date")
        .unique()
    )
    expected = truth.filter(pl.col("service") == "edge_of_care").select(
        "family_id", pl.col("start_date").alias("event_date")
    )
    assert set(starts.iter_rows()) == set(expected.iter_rows())


def test_needier_families_are_referred_more(planted_county: Path) -> None:
    truth = pl.read_parquet(planted_county / "truth" / "service_effects.parquet")
    families = pl.read_parquet(planted_county / "truth" / "families.parquet").select(
        "family_id", "n_needs"
    )
    joined = truth.filter(pl.col("service") == "edge_of_care").join(families, on="family_id")
    means = (
        joined.group_by("treated").agg(pl.col("n_needs").cast(pl.Float64).mean()).sort("treated")
    )
    assert means["n_needs"][1] > 1.3 * means["n_needs"][0]
