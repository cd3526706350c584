"""Score the outcome rules on data that went through import and linkage.

``bench`` scores the rules on the truth file's concern events per true family. Here the same
trajectories go the way a partnership's data go: the county is synthesised (cached, as the
linkage benchmark caches it), the planted events are written into the agencies' own extracts
(``synth.trajectory_extracts``), the extracts are imported and linked by the product's own
``import`` and ``link`` commands (separate processes, a throw-away SQLite database, as
``matching.bench`` runs them), and each engaged family's evidence is read from the linked
records the way the pages read it (``outcomes.sources``): every current event, of the
descriptor's concern kinds, of every record linked to a member of the family the index holds,
with coverage decided by ``rules.coverage_from``.

A true family is the family a practitioner would open: the index family holding most of its
members' records. A family split by linkage loses the events of the records put elsewhere; a
family merged with another reads the other's events too. So linkage errors count in every
figure. Families whose records the index puts in no family are counted as not found (no
claim is possible for them). Scoring itself is ``bench.score_needs``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import polars as pl

from wraparound.matching.bench import LOAD_AGENCIES, _cli, _figures, _own_peak_mb, cached_county
from wraparound.matching.bench_scoring import read_index, read_truth
from wraparound.outcomes.bench import score_needs
from wraparound.outcomes.framework import Descriptor, framework_for
from wraparound.outcomes.rules import coverage_from
from wraparound.records.bench import run_stage
from wraparound.synth.trajectory_extracts import write_trajectory_extracts

EVENTS_SQL = (
    "select r.record_key, e.kind, e.event_date from records_sourceevent e "
    "join records_sourcerecord r on r.id = e.record_id "
    "join records_extract x on x.id = e.extract_id where x.status = 'current' and e.kind in ({})"
)
LATEST_SQL = (
    "select x.agency_id, max(e.event_date) from records_sourceevent e "
    "join records_extract x on x.id = e.extract_id where x.status = 'current' group by x.agency_id"
)
RECORDERS_SQL = (
    "select distinct e.kind, x.agency_id from records_sourceevent e "
    "join records_extract x on x.id = e.extract_id where x.status = 'current' and e.kind in ({})"
)


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _linked_family_of(
    links: pl.DataFrame, memberships: pl.DataFrame, truth: pl.DataFrame, persons: pl.DataFrame
) -> dict[str, str]:
    """Each true family's index family: the one holding most of its members' records."""
    counted = (
        truth.join(persons, on="entity_id")
        .rename({"family_id": "true_family"})
        .join(links, on="record_key")
        .join(memberships, on="cluster_id")
        .group_by("true_family", "family_id")
        .len()
        .sort("true_family", "len", "family_id", descending=[False, True, False])
        .unique("true_family", keep="first", maintain_order=True)
    )
    return dict(zip(counted["true_family"], counted["family_id"], strict=True))


def _linked_events(database: Path, links: pl.DataFrame, memberships: pl.DataFrame,
                   kinds: set[str]) -> dict[tuple[str, str], list[dt.date]]:  # fmt: skip
    """(index family, kind) -> event dates, over every record linked to a member."""
    marks = ",".join("?" * len(kinds))
    with sqlite3.connect(database) as connection:
        rows = connection.execute(EVENTS_SQL.format(marks), sorted(kinds)).fetchall()
    events = pl.DataFrame(
        rows, schema={"record_key": pl.Utf8, "kind": pl.Utf8, "event_date": pl.Utf8}, orient="row"
    )
    placed = events.join(links, on="record_key").join(memberships, on="cluster_id")
    found: dict[tuple[str, str], list[dt.date]] = defaultdict(list)
    for family_id, kind, when in placed.select("family_id", "kind", "event_date").iter_rows():
        found[(family_id, kind)].append(_date(when))
    return found


def _coverage(database: Path, kinds: set[str]) -> dict[str, dt.date]:
    marks = ",".join("?" * len(kinds))
    with sqlite3.connect(database) as connection:
        latest = {a: _date(d) for a, d in connection.execute(LATEST_SQL).fetchall()}
        recorders: dict[str, set[Any]] = defaultdict(set)
        for kind, agency in connection.execute(RECORDERS_SQL.format(marks), sorted(kinds)):
            recorders[kind].add(agency)
    return coverage_from(latest, recorders, kinds)


def score_linked(database: Path, county: Path, *, as_of: dt.date, seed: int) -> dict[str, Any]:
    """Score the planted needs on what the linked index in ``database`` holds for each family."""
    framework = framework_for(as_of)
    kinds = {k for d in framework.descriptors for k in d.concern_kinds}
    truth_records, persons = read_truth(county)
    links, memberships = read_index(database)
    family_of = _linked_family_of(links, memberships, truth_records, persons)
    events = _linked_events(database, links, memberships, kinds)
    coverage = _coverage(database, kinds)
    trajectories = pl.read_parquet(county / "truth" / "trajectories.parquet")

    def concern_dates(row: dict[str, Any], descriptor: Descriptor) -> list[dt.date]:
        family = family_of.get(row["family_id"])
        if family is None:
            return []
        return [d for k in descriptor.concern_kinds for d in events.get((family, k), [])]

    def covers(row: dict[str, Any], descriptor: Descriptor) -> dt.date:
        if row["family_id"] not in family_of:
            return dt.date.min  # no family to read: nothing is covered
        return min(coverage.get(k, as_of) for k in descriptor.concern_kinds)

    figures = score_needs(trajectories, concern_dates, as_of=as_of, seed=seed, covers=covers)
    engaged = set(trajectories["family_id"])
    index_families = [family_of[f] for f in engaged if f in family_of]
    return {
        **figures,
        "engaged_families_not_found_in_the_index": len(engaged - set(family_of)),
        "engaged_families_sharing_an_index_family": len(index_families) - len(set(index_families)),
    }


def run_linked_benchmark(
    *, households: int, seed: int, workdir: Path, cache: Path | None = None
) -> dict[str, Any]:
    """All figures for one run through import and linkage, as a JSON-ready dict."""
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "bench.sqlite3"
    database.unlink(missing_ok=True)
    shutil.rmtree(workdir / "models", ignore_errors=True)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}",
           "WRAPAROUND_MODEL_DIR": str(workdir / "models")}  # fmt: skip
    env.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.settings")
    county, synth = cached_county(cache or workdir / "counties", households, seed, env)
    as_of = dt.date.fromisoformat(
        json.loads((county / "manifest.json").read_text(encoding="utf-8"))["parameters"]["as_of"]
    )
    shutil.rmtree(workdir / "with-outcomes", ignore_errors=True)
    written = write_trajectory_extracts(county, workdir / "with-outcomes", seed=seed, as_of=as_of)
    stages: dict[str, dict[str, Any]] = {"synth": synth}
    stages["migrate"] = _figures(run_stage(_cli("migrate", "-v0"), env))
    run_stage([LOAD_AGENCIES], env)
    manifest = workdir / "with-outcomes" / "manifest.json"
    stages["import"] = _figures(run_stage(_cli("import", "--manifest", str(manifest), "-v0"), env))
    stages["link"] = _figures(run_stage(_cli("link", "-v0"), env))

    figures = score_linked(database, county, as_of=as_of, seed=seed)
    return {
        "households": households,
        "seed": seed,
        "through": "synth -> trajectory events in the extracts -> import -> link -> linked records",
        **figures,
        "trajectory_events_in_extracts": written,
        "stages": stages,
        "end_to_end_seconds": round(
            sum(f["seconds"] for n, f in stages.items() if n != "synth" or not synth.get("cached")),
            2,
        ),
        **({"synth_cached": True} if synth.get("cached") else {}),
        "peak_rss_mb": max(f["peak_rss_mb"] for f in stages.values()),
        "bench_process_peak_rss_mb": _own_peak_mb(),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
    }
