"""The demo loader synthesises a county and imports all of it, and re-running changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wraparound.core.models import Agency
from wraparound.records.demo import demo_workdir, load_demo, load_demo_county
from wraparound.records.models import Extract, SourceRecord
from wraparound.synth import load_catalogues

pytestmark = pytest.mark.django_db


def test_demo_county_loads_every_extract_and_a_second_run_changes_nothing(tmp_path: Path) -> None:
    first = load_demo_county(households=200, seed=4, workdir=tmp_path / "county")
    datasets = len(load_catalogues().datasets)
    assert list(first["extracts"].values()) == ["imported"] * datasets
    assert Agency.objects.filter(
        slug__in=[a.slug for a in load_catalogues().agencies]
    ).count() == len(load_catalogues().agencies)
    records = SourceRecord.objects.count()
    second = load_demo_county(households=200, seed=4, workdir=tmp_path / "county")
    assert list(second["extracts"].values()) == ["unchanged"] * datasets
    assert (Extract.objects.count(), SourceRecord.objects.count()) == (datasets, records)


def test_demo_hook_writes_the_county_where_other_demos_look_for_it(
    settings: Any, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    note = load_demo({"households": 150, "seed": 3})
    datasets = len(load_catalogues().datasets)
    assert f"{datasets} extracts imported" in note
    assert (demo_workdir(households=150, seed=3) / "truth" / "records.parquet").exists()


def test_a_small_county_whose_extract_has_no_rows_still_makes_a_demo(tmp_path: Path) -> None:
    """At 200 households (seed 1) one school's behaviour log is empty: a valid extract of no
    rows, imported and reported as such rather than stopping the demo."""
    summary = load_demo_county(households=200, seed=1, workdir=tmp_path / "county")
    assert set(summary["extracts"].values()) == {"imported"}
    empty = Extract.objects.filter(record_count=0)
    assert empty.exists()
