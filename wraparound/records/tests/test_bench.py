"""The import benchmark measures real stages and reads back exactly what the county holds."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import polars as pl
import pytest

from wraparound.records.bench import Stage, bench_import, run_stage


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


@pytest.mark.pipeline
def test_a_stage_that_writes_more_than_a_pipe_holds_still_finishes_with_its_figures() -> None:
    """A chatty child (here 1 MB on each stream, far past a pipe's 64 KB) must not wedge the
    benchmark: the stage ends, and its output and peak memory are read after it exits."""
    chatty = "import sys; sys.stdout.write('o' * 2**20 + 'END'); sys.stderr.write('e' * 2**20)"
    finished: list[Stage] = []
    # a daemon thread, so that a wedged stage fails this test instead of hanging the suite
    runner = threading.Thread(
        target=lambda: finished.append(run_stage([chatty], dict(os.environ))), daemon=True
    )
    runner.start()
    runner.join(timeout=60)
    assert finished, "the stage did not finish within 60 s"
    stage = finished[0]
    assert stage.output.endswith("END")
    assert 1 < stage.peak_rss_mb < 4000
    assert stage.cpu_seconds >= 0


@pytest.mark.pipeline
def test_a_failing_stage_says_what_it_wrote_to_stderr() -> None:
    with pytest.raises(RuntimeError, match="no such county"):
        run_stage(["import sys; sys.exit('no such county')"], dict(os.environ))
