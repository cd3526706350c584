"""Scoring through import and linkage: the planted events reach the extracts, families map."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from wraparound.outcomes.bench_linked import _linked_family_of
from wraparound.outcomes.rules import coverage_from
from wraparound.synth.catalogues import load_catalogues
from wraparound.synth.county import generate_county
from wraparound.synth.parameters import CountyParameters
from wraparound.synth.trajectory_extracts import REF_PREFIX, write_trajectory_extracts


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict, CountyParameters]:
    params = CountyParameters(households=1500, seed=5, chunk_households=500)
    root = tmp_path_factory.mktemp("county")
    generate_county(params, root / "county")
    written = write_trajectory_extracts(
        root / "county", root / "out", seed=params.seed, as_of=params.as_of
    )
    return root / "county", root / "out", written, params


def _rows(path: Path, source: str) -> tuple[list[str], list[list[str]]]:
    ds = next(d for d in load_catalogues().datasets if d.source == source)
    with path.open(encoding=ds.encoding or "utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=ds.delimiter))
    return rows[0], rows[1:]


def test_every_planted_event_is_written_or_counted_as_not_placed(county: tuple) -> None:
    source, _, written, _ = county
    events = pl.read_parquet(source / "truth" / "trajectory_events.parquet").height
    added = sum(d["trajectory_rows_added"] for d in written["by_dataset"].values())
    assert added > 0
    assert added + written["not_placed"] == events == written["trajectory_events"]
    assert written["not_placed"] < 0.25 * events


def test_planted_police_rows_copy_a_family_members_own_police_identity(county: tuple) -> None:
    source, out, _, _ = county
    header, rows = _rows(
        out / "extracts" / "hartshire-police__incidents.csv", "hartshire-police:incidents"
    )
    planted = [r for r in rows if r[header.index("Incident Ref")].startswith(REF_PREFIX)]
    assert planted
    _, original = _rows(
        source / "extracts" / "hartshire-police__incidents.csv", "hartshire-police:incidents"
    )
    nominal = header.index("Nominal ID")
    identity = {tuple(r[nominal : nominal + 8]) for r in original if len(r) == len(header)}
    assert all(tuple(r[nominal : nominal + 8]) in identity for r in planted)


def test_the_manifest_points_changed_extracts_at_the_copy_and_counts_their_rows(
    county: tuple,
) -> None:
    source, out, written, _ = county
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["extracts"]:
        name = f"{entry['agency_slug']}:{entry['dataset_kind']}"
        path = Path(entry["file"])
        assert path.is_absolute()
        assert path.exists()
        if name in written["by_dataset"]:
            assert path.parent == out / "extracts"
            assert len(_rows(path, name)[1]) == entry["rows"]
        else:
            assert path.parent == source / "extracts"


def test_the_countys_own_events_of_a_planted_need_are_replaced_not_doubled(county: tuple) -> None:
    _, _, written, _ = county
    replaced = sum(d["county_rows_replaced"] for d in written["by_dataset"].values())
    assert replaced > 0


def test_a_true_family_is_read_from_the_index_family_holding_most_of_its_records() -> None:
    truth = pl.DataFrame(
        {"record_key": ["a", "b", "c", "d", "e"], "entity_id": ["p1", "p2", "p3", "p4", "p5"]}
    )
    persons = pl.DataFrame(
        {"entity_id": ["p1", "p2", "p3", "p4", "p5"], "family_id": ["T1", "T1", "T1", "T2", "T3"]}
    )
    links = pl.DataFrame(
        {"record_key": ["a", "b", "c", "d"], "cluster_id": ["P1", "P2", "P3", "P4"]}
    )
    memberships = pl.DataFrame(
        {"cluster_id": ["P1", "P2", "P3", "P4"], "family_id": ["F1", "F1", "F2", "F1"]}
    )
    found = _linked_family_of(links, memberships, truth, persons)
    assert found["T1"] == "F1"  # split: two of three records in F1
    assert found["T2"] == "F1"  # merged into T1's index family: it reads T1's events too
    assert "T3" not in found  # its record is in no family: not found


def test_a_kind_is_covered_as_far_as_its_least_current_recorder() -> None:
    latest = {1: dt.date(2026, 3, 1), 2: dt.date(2026, 1, 1), 3: dt.date(2025, 12, 1)}
    covered = coverage_from(latest, {"offence": {1, 2}, "asb": {1}}, ["offence", "asb", "other"])
    assert covered == {
        "offence": dt.date(2026, 1, 1),
        "asb": dt.date(2026, 3, 1),
        "other": dt.date(2025, 12, 1),
    }


@pytest.mark.slow
def test_the_bench_scores_claims_on_records_that_went_through_import_and_linkage(
    tmp_path: Path,
) -> None:
    """The whole path, small: synth, planted events in the extracts, import, link, score."""
    from wraparound.outcomes.bench_linked import run_linked_benchmark

    figures = run_linked_benchmark(households=1500, seed=5, workdir=tmp_path)
    truth = pl.read_parquet(
        tmp_path / "counties" / "county-1500-5" / "truth" / "trajectories.parquet"
    )
    assert figures["engaged_families"] == truth["family_id"].n_unique()
    assert figures["needs"] == truth.height
    assert figures["engaged_families_not_found_in_the_index"] < figures["engaged_families"] / 10
    assert set(figures["stages"]) == {"synth", "migrate", "import", "link"}
    judged = figures["claims_with_practitioner_judgement"]
    assert judged["claims"] > 0
    assert judged["claim_precision"] >= 0.9
