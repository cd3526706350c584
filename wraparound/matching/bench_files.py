"""`wraparound bench match-files`: our matcher and plain Splink, side by side, on files.

For each data set (``bench_sets``) both run as processes of their own on the same files
with the same mapping, so wall time and peak memory are those of a user's run, and both
are scored pairwise against the set's truth.

The baseline is bounded so that all sets finish in one run: a blocking rule that alone
would generate more than ``baseline.PLAIN_RULE_COMPARISON_CAP`` comparisons is dropped
(Splink's ``count_comparisons_from_blocking_rule``), and the output says which.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import polars as pl

from wraparound.matching.bench import run_stage
from wraparound.matching.bench_sets import BENCH_SETS, BenchSet
from wraparound.matching.pipeline.evaluation import pairwise_scores
from wraparound.records.bench import RUN_CLI

# ``run_stage`` runs Python source in a child process (to read its peak memory), not a
# command line.
RUN_PLAIN_SPLINK = (
    "import runpy; runpy.run_module('wraparound.matching.plain_splink', run_name='__main__')"
)


def _scores(clusters: pl.DataFrame, truth: pl.DataFrame) -> dict[str, Any]:
    return pairwise_scores(clusters, truth)


def _ours(bench: BenchSet, out: Path, env: dict[str, str]) -> dict[str, Any]:
    summary = out / "summary.json"
    args = [
        RUN_CLI,
        "match-files",
        "--mapping",
        str(bench.mapping),
        "--out",
        str(out),
        *map(str, bench.files),
    ]
    figures = run_stage(args, env)
    clusters = pl.read_csv(out / "clusters.csv", infer_schema=False).select(
        (pl.col("source") + ":" + pl.col("id")).alias("record_key"), "cluster_id"
    )
    run = json.loads(summary.read_text(encoding="utf-8"))
    return {
        **_scores(clusters, bench.truth),
        "seconds": figures.seconds,
        "peak_rss_mb": figures.peak_rss_mb,
        "comparisons": run["comparisons"],
        "blocking_recall_ceiling": run["blocking"].get("estimated_recall_ceiling"),
        "parse_failures": sum(int(row["count"]) for row in run["parse_failures"]),
    }


def _plain(bench: BenchSet, out: Path, env: dict[str, str]) -> dict[str, Any]:
    args = [
        RUN_PLAIN_SPLINK,
        "--mapping",
        str(bench.mapping),
        "--out",
        str(out),
        *map(str, bench.files),
    ]
    figures = run_stage(args, env)
    clusters = pl.read_csv(out / "clusters.csv", infer_schema=False)
    run = json.loads((out / "figures.json").read_text(encoding="utf-8"))
    dropped = [row["rule"] for row in run["blocking_rules"] if not row["kept"]]
    return {
        **_scores(clusters, bench.truth),
        "seconds": figures.seconds,
        "peak_rss_mb": figures.peak_rss_mb,
        "comparisons": run["comparisons"],
        # Bounded: rules above the cap were dropped, as a Splink user would drop them.
        "bounded": bool(dropped),
        "rule_cap": run["rule_cap"],
        "rules_dropped": dropped,
        "blocking_rules": run["blocking_rules"],
    }


def run_files_benchmark(
    names: list[str], workdir: Path, *, households: int, seed: int
) -> list[dict[str, Any]]:
    """Figures for each named set: ours and plain Splink."""
    env = {**os.environ, "WRAPAROUND_MODEL_DIR": str(workdir / "models")}
    env.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.settings")
    results = []
    for name in names:
        here = workdir / name
        here.mkdir(parents=True, exist_ok=True)
        if name == "county":
            from wraparound.matching.bench_sets import county

            bench = county(here, households=households, seed=seed)
        else:
            bench = BENCH_SETS[name](here)
        results.append(
            {
                "dataset": name,
                "shape": bench.shape,
                "records": bench.truth.height,
                "ours": _ours(bench, here / "ours", env),
                "plain_splink": _plain(bench, here / "plain", env),
            }
        )
    return results


def figures_table(results: list[dict[str, Any]]) -> str:
    """The side-by-side table printed after the run (and pasted into benchmarks.md)."""
    lines = [
        "| data set | matcher | precision | recall | F1 | time s | peak MB | comparisons |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in results:
        for key in ("ours", "plain_splink"):
            f = row[key]
            label = "Wraparound" if key == "ours" else "plain Splink"
            if f.get("bounded"):
                label += f" (bounded: dropped {', '.join(f['rules_dropped'])})"
            lines.append(
                f"| {row['dataset']} | {label} | {f['precision']:.4f} | {f['recall']:.4f} | "
                f"{f['f1']:.4f} | {f['seconds']:.1f} | {f['peak_rss_mb']:.0f} | "
                f"{f['comparisons']:,} |"
            )
    caps = {row["plain_splink"]["rule_cap"] for row in results if row["plain_splink"]["bounded"]}
    if caps:
        lines.append(
            f"\nBounded: plain Splink's blocking rules above {max(caps):,} comparisons each "
            "were dropped before training."
        )
    return "\n".join(lines)
