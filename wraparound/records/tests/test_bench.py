"""The import benchmark measures real stages and reads back exactly what the county holds."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from wraparound.records.bench import bench_import


@pytest.mark.slow
def test_import_benchmark_reads_back_every_true_record(tmp_path: Path) -> None:
    figures = bench_import(households=200, seed=9, workdir=tmp_path, database_url=None)
    truth = pl.read_parquet(tmp_path / "county-200-9" / "truth" / "records.parquet")
    assert figures["read_back"]["records"] == truth.height
    assert figures["read_back"]["events"] > 0
    assert "already imported" in figures["import_again_unchanged"]["output"]
    for stage in ("synth", "import", "import_again_unchanged"):
        assert figures[stage]["seconds"] > 0
        assert 20 < figures[stage]["peak_rss_mb"] < 4000
