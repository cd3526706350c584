"""The linkage benchmark: synth -> import -> link, scored against the synthetic truth.

Each stage runs as its own `wraparound` process against a throw-away SQLite database in
the work directory, so wall time, CPU time and peak memory (each process's own high-water
mark) are those of the real commands, and the operator's own database is never touched.

The synthetic county is kept in a cache directory keyed by households and seed, so a
rerun does not synthesise it again: ``synth`` then reports the figures of the run that
made it, marked ``cached``. The plain Splink baseline runs in the benchmark's own process
on the same records, or on a sample of whole families above ``BASELINE_MAX_RECORDS``
(see ``bench_scoring``).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
from pathlib import Path
from typing import Any

import polars as pl

from wraparound.matching.bench_scoring import (
    BASELINE_COLUMNS,
    baseline_figures,
    family_accuracy,
    id_stability,
    read_index,
    read_truth,
)
from wraparound.matching.pipeline.evaluation import pairwise_scores
from wraparound.records.bench import RUN_CLI, Stage, run_stage

LOAD_AGENCIES = (
    "import django; django.setup(); from wraparound.core.demo import load_agencies; load_agencies()"
)
EXPORT_RECORDS = (
    "import sys, django; django.setup(); "
    "from wraparound.records.selectors import person_records_frame; "
    "person_records_frame().write_parquet(sys.argv[1])"
)

# The stages a partnership runs to build the index from nothing; re-runs and incremental
# stages are reported but not added in.
END_TO_END = ("synth", "migrate", "import", "link")


def _figures(stage: Stage) -> dict[str, Any]:
    return {
        "seconds": stage.seconds,
        "cpu_seconds": stage.cpu_seconds,
        "peak_rss_mb": stage.peak_rss_mb,
    }


def _cli(*args: str) -> list[str]:
    return [RUN_CLI, *args]


def cached_county(
    cache: Path, households: int, seed: int, env: dict[str, str], *, fresh: bool = False
) -> tuple[Path, dict[str, Any]]:
    """The synthetic county for (households, seed), made once and kept in ``cache``,
    and the figures of the synth run that made it."""
    county = cache / f"county-{households}-{seed}"
    figures_file = county / "synth-stage.json"
    if not fresh and figures_file.exists():
        return county, json.loads(figures_file.read_text(encoding="utf-8")) | {"cached": True}
    cache.mkdir(parents=True, exist_ok=True)
    partial = cache / f".county-{households}-{seed}.{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    made = run_stage(
        _cli("synth", "--households", str(households), "--seed", str(seed), "--out", str(partial)),
        env,
    )
    figures = _figures(made)
    (partial / "synth-stage.json").write_text(json.dumps(figures), encoding="utf-8")
    shutil.rmtree(county, ignore_errors=True)
    partial.rename(county)  # whole or not at all: a half-written county is never reused
    return county, figures | {"cached": False}


def _hold_out(synth_dir: Path, extract: str, workdir: Path) -> tuple[Path, list[str]]:
    """A manifest of every extract but ``extract`` (``agency:dataset``), and the import
    arguments for the one held out, so it can arrive later as a new extract."""
    manifest = json.loads((synth_dir / "manifest.json").read_text(encoding="utf-8"))
    kept: list[dict[str, Any]] = []
    held: list[dict[str, Any]] = []
    for entry in manifest["extracts"]:
        name = f"{entry['agency_slug']}:{entry['dataset_kind']}"
        placed = {**entry, "file": str(synth_dir / entry["file"])}
        (held if name == extract else kept).append(placed)
    if not held:
        names = ", ".join(f"{e['agency_slug']}:{e['dataset_kind']}" for e in manifest["extracts"])
        raise RuntimeError(f"No extract {extract!r} in the county; choose one of: {names}")
    path = workdir / "manifest-held-out.json"
    path.write_text(json.dumps({**manifest, "extracts": kept}), encoding="utf-8")
    entry = held[0]
    return path, [
        entry["file"],
        "--agency",
        entry["agency_slug"],
        "--dataset",
        entry["dataset_kind"],
    ]


def _run_summaries(database: Path) -> tuple[tuple[Any, ...], list[dict[str, Any]]]:
    """The last linkage run's counts, and where every run spent its time."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "select comparisons, people, families, pairs_auto_accepted, pairs_for_review, "
            "incremental, summary from matching_linkagerun order by id"
        ).fetchall()
    keys = ("timings", "rows_written", "records_read_from")
    summaries = []
    for row in rows:
        summary = json.loads(row[6] or "{}")
        summaries.append(
            {"incremental": bool(row[5]), **{k: summary[k] for k in keys if k in summary}}
        )
    return rows[-1], summaries


def _own_peak_mb() -> float:
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def run_benchmark(
    *,
    households: int,
    seed: int,
    workdir: Path,
    cache: Path | None = None,
    rerun: bool = False,
    incremental: str | None = None,
    fresh_synth: bool = False,
) -> dict[str, Any]:
    """All figures for one run, as a JSON-ready dict.

    ``cache`` keeps synthetic counties between runs (default: inside ``workdir``).
    ``incremental`` names an extract (``agency:dataset``) held back from the first import;
    it is imported after the full link and linked with ``link --incremental``, and the
    figures score the index as the incremental run left it.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "bench.sqlite3"
    database.unlink(missing_ok=True)
    shutil.rmtree(workdir / "models", ignore_errors=True)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "WRAPAROUND_MODEL_DIR": str(workdir / "models"),
    }
    env.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.settings")
    synth_dir, synth = cached_county(
        cache or workdir / "counties", households, seed, env, fresh=fresh_synth
    )
    stages: dict[str, dict[str, Any]] = {"synth": synth}
    stages["migrate"] = _figures(run_stage(_cli("migrate", "-v0"), env))
    run_stage([LOAD_AGENCIES], env)
    manifest, held_out = synth_dir / "manifest.json", None
    if incremental is not None:
        manifest, held_out = _hold_out(synth_dir, incremental, workdir)
    stages["import"] = _figures(run_stage(_cli("import", "--manifest", str(manifest), "-v0"), env))
    stages["link"] = _figures(run_stage(_cli("link", "-v0"), env))
    if held_out is not None:
        stages["import_new"] = _figures(run_stage(_cli("import", *held_out, "-v0"), env))
        stages["link_incremental"] = _figures(run_stage(_cli("link", "--incremental", "-v0"), env))
    records_path = workdir / "records.parquet"
    run_stage([EXPORT_RECORDS, str(records_path)], env)

    truth, persons = read_truth(synth_dir)
    links, memberships = read_index(database)
    stability: dict[str, Any] = {}
    if rerun:
        stages["relink"] = _figures(run_stage(_cli("link", "-v0"), env))
        stability["person_ids_kept_on_rerun"] = id_stability(links, read_index(database)[0])
    records = pl.read_parquet(records_path, columns=["record_key", *BASELINE_COLUMNS])
    last, runs = _run_summaries(database)
    return {
        "households": households,
        "seed": seed,
        "records": records.height,
        "stages": stages,
        "end_to_end_seconds": round(
            sum(f["seconds"] for name, f in stages.items() if name in END_TO_END), 2
        ),
        **({"synth_cached": True} if synth.get("cached") else {}),
        **({"incremental_extract": incremental} if incremental else {}),
        **stability,
        "peak_rss_mb": max(f["peak_rss_mb"] for f in stages.values()),
        "link_runs": runs,
        "wraparound": {
            "comparisons": last[0],
            "people": last[1],
            "families": last[2],
            "pairs_auto_accepted": last[3],
            "pairs_for_review": last[4],
            "person_pairwise": pairwise_scores(links, truth),
            "family_grouping": family_accuracy(links, memberships, truth, persons),
        },
        "plain_splink_baseline": baseline_figures(records, truth, persons, links),
        "bench_process_peak_rss_mb": _own_peak_mb(),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
    }
