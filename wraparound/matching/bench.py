"""The linkage benchmark: synth -> import -> link, scored against the synthetic truth.

Each stage runs as its own `wraparound` process against a throw-away SQLite database in the
work directory, so wall time and peak memory are those of the real commands, and the
operator's own database is never touched. The plain Splink baseline runs on the same
records in the same run.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from wraparound.matching.pipeline.baseline import baseline_link
from wraparound.matching.pipeline.evaluation import members_together, pairwise_scores

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


@dataclass(frozen=True)
class StageFigures:
    seconds: float
    peak_rss_mb: float


def run_stage(args: list[str], env: dict[str, str]) -> StageFigures:
    """Run one child process; its wall time and peak resident memory."""
    started = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:4])} failed ({child.returncode}): {stderr[-2000:]}")
    return StageFigures(round(time.perf_counter() - started, 2), round(usage.ru_maxrss / 1024, 1))


def _truth(synth_dir: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    records = pl.read_parquet(synth_dir / "truth" / "records.parquet").select(
        (pl.col("source") + ":" + pl.col("source_id")).alias("record_key"),
        pl.col("person_id").alias("entity_id"),
    )
    persons = pl.read_parquet(synth_dir / "truth" / "persons.parquet").select(
        pl.col("person_id").alias("entity_id"), "family_id"
    )
    return records, persons


def _index(database: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    with sqlite3.connect(database) as connection:
        links = pl.read_database(
            "select l.record_key, p.public_id as cluster_id from matching_personrecordlink l "
            "join matching_person p on p.id = l.person_id",
            connection,
        )
        memberships = pl.read_database(
            "select p.public_id as cluster_id, f.public_id as family_id "
            "from matching_familymembership m join matching_person p on p.id = m.person_id "
            "join matching_family f on f.id = m.family_id",
            connection,
        )
    return links, memberships


def family_accuracy(
    links: pl.DataFrame, memberships: pl.DataFrame, truth: pl.DataFrame, persons: pl.DataFrame
) -> dict[str, Any]:
    """Members together (share of true family members placed with their family's most
    common predicted family) and pairwise precision/recall over people, which also
    counts families wrongly merged."""
    predicted = (
        links.join(memberships, on="cluster_id")
        .join(truth, on="record_key")
        .group_by("entity_id")
        .agg(pl.col("family_id").mode().first().alias("group_id"))
        .rename({"entity_id": "member"})
    )
    true_groups = persons.select(
        pl.col("entity_id").alias("member"), pl.col("family_id").alias("true_group_id")
    )
    pairwise = pairwise_scores(
        predicted.rename({"member": "record_key", "group_id": "cluster_id"}),
        true_groups.rename({"member": "record_key", "true_group_id": "entity_id"}),
    )
    return {
        "members_together": members_together(predicted, true_groups),
        "pairwise_precision": pairwise["precision"],
        "pairwise_recall": pairwise["recall"],
    }


def id_stability(before: pl.DataFrame, after: pl.DataFrame) -> float:
    """Share of records whose person public id is unchanged by a re-run."""
    both = before.join(after, on="record_key", suffix="_after")
    if both.is_empty():
        return 1.0
    kept = both.filter(pl.col("cluster_id") == pl.col("cluster_id_after")).height
    return round(kept / both.height, 5)


def _hold_out(synth_dir: Path, extract: str) -> tuple[Path, list[str]]:
    """A manifest of every extract but ``extract`` (``agency:dataset``), and the import
    arguments for the one held out, so it can arrive later as a new extract."""
    manifest = json.loads((synth_dir / "manifest.json").read_text(encoding="utf-8"))
    kept: list[dict[str, Any]] = []
    held: list[dict[str, Any]] = []
    for entry in manifest["extracts"]:
        name = f"{entry['agency_slug']}:{entry['dataset_kind']}"
        (held if name == extract else kept).append(entry)
    if not held:
        names = ", ".join(f"{e['agency_slug']}:{e['dataset_kind']}" for e in manifest["extracts"])
        raise RuntimeError(f"No extract {extract!r} in the county; choose one of: {names}")
    path = synth_dir / "manifest-held-out.json"
    path.write_text(json.dumps({**manifest, "extracts": kept}), encoding="utf-8")
    entry = held[0]
    arguments = [
        str(synth_dir / entry["file"]),
        "--agency",
        entry["agency_slug"],
        "--dataset",
        entry["dataset_kind"],
    ]
    return path, arguments


def run_benchmark(
    *,
    households: int,
    seed: int,
    workdir: Path,
    rerun: bool = False,
    incremental: str | None = None,
) -> dict[str, Any]:
    """All figures for one run, as a JSON-ready dict.

    ``incremental`` names an extract (``agency:dataset``) held back from the first import;
    it is imported after the full link and linked with ``link --incremental``, and the
    figures score the index as the incremental run left it.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "bench.sqlite3"
    database.unlink(missing_ok=True)
    synth_dir = workdir / "synth"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "WRAPAROUND_MODEL_DIR": str(workdir / "models"),
    }
    env.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.settings")
    cli = [sys.executable, "-m", "wraparound.cli"]
    stages = {
        "synth": run_stage(
            [
                *cli,
                "synth",
                "--households",
                str(households),
                "--seed",
                str(seed),
                "--out",
                str(synth_dir),
            ],
            env,
        ),
        "migrate": run_stage([*cli, "migrate", "-v0"], env),
    }
    run_stage([sys.executable, "-c", LOAD_AGENCIES], env)
    manifest, held_out = synth_dir / "manifest.json", None
    if incremental is not None:
        manifest, held_out = _hold_out(synth_dir, incremental)
    stages["import"] = run_stage([*cli, "import", "--manifest", str(manifest)], env)
    stages["link"] = run_stage([*cli, "link", "-v0"], env)
    if held_out is not None:
        stages["import_new"] = run_stage([*cli, "import", *held_out, "-v0"], env)
        stages["link_incremental"] = run_stage([*cli, "link", "--incremental", "-v0"], env)
    records_path = workdir / "records.parquet"
    run_stage([sys.executable, "-c", EXPORT_RECORDS, str(records_path)], env)

    truth, persons = _truth(synth_dir)
    links, memberships = _index(database)
    stability: dict[str, Any] = {}
    if rerun:
        stages["relink"] = run_stage([*cli, "link", "-v0"], env)
        stability["person_ids_kept_on_rerun"] = id_stability(links, _index(database)[0])
    records = pl.read_parquet(records_path)
    with sqlite3.connect(database) as connection:
        run_row = connection.execute(
            "select comparisons, people, families, pairs_auto_accepted, pairs_for_review "
            "from matching_linkagerun order by id desc limit 1"
        ).fetchone()
    started = time.perf_counter()
    baseline_clusters, baseline_comparisons = baseline_link(records)
    baseline_seconds = round(time.perf_counter() - started, 2)
    return {
        "households": households,
        "seed": seed,
        "records": records.height,
        "stages": {name: vars(figures) for name, figures in stages.items()},
        "end_to_end_seconds": round(
            sum(f.seconds for name, f in stages.items() if name in END_TO_END), 2
        ),
        **({"incremental_extract": incremental} if incremental else {}),
        **stability,
        "peak_rss_mb": max(f.peak_rss_mb for f in stages.values()),
        "wraparound": {
            "comparisons": run_row[0],
            "people": run_row[1],
            "families": run_row[2],
            "pairs_auto_accepted": run_row[3],
            "pairs_for_review": run_row[4],
            "person_pairwise": pairwise_scores(links, truth),
            "family_grouping": family_accuracy(links, memberships, truth, persons),
        },
        "plain_splink_baseline": {
            "seconds": baseline_seconds,
            "comparisons": baseline_comparisons,
            "person_pairwise": pairwise_scores(baseline_clusters, truth),
        },
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
    }
