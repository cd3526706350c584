"""Running linkage into the master index: a full run, or an incremental one.

``run_linkage`` is the one entry point (the ``link`` command, the job queue and the demo
call it): it reads the current records, links them (all of them, or only what is new
against the saved model), groups families, writes the index (only the rows that changed)
and leaves the linked records file for the next incremental run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings as django_settings
from django.utils import timezone

from wraparound.matching import index_version
from wraparound.matching.index import IndexScope, SavedIndex, save_index
from wraparound.matching.index_families import memberships_of_families_of
from wraparound.matching.index_tables import quoted, read_frame
from wraparound.matching.linked_records import load_current_records, save_linked_records
from wraparound.matching.models import LinkageRun, PairDecision, Person, PersonRecordLink, Verdict
from wraparound.matching.pipeline import LinkageError, LinkageSettings, link_records
from wraparound.matching.pipeline.clusters import PairKey, pair_key
from wraparound.matching.pipeline.families import group_families
from wraparound.matching.pipeline.incremental import link_new_records
from wraparound.matching.pipeline.regrouping import regroup_around
from wraparound.matching.pipeline.standardise import standardise_records
from wraparound.matching.wal_checkpoint import deferred_checkpoint

Progress = Callable[[str], None]


def model_dir() -> Path:
    """Where trained models are kept (settings.MODEL_DIR: WRAPAROUND_MODEL_DIR, else var/models)."""
    return Path(django_settings.MODEL_DIR)


def latest_decisions() -> tuple[frozenset[PairKey], frozenset[PairKey], set[PairKey]]:
    """(forced links, forced non-links, every decided pair) from each pair's latest ruling."""
    latest: dict[PairKey, str] = {}
    for left, right, verdict in PairDecision.objects.order_by("decided_at", "pk").values_list(
        "record_key_l", "record_key_r", "verdict"
    ):
        latest[pair_key(left, right)] = verdict
    same = frozenset(k for k, v in latest.items() if v == Verdict.SAME)
    different = frozenset(k for k, v in latest.items() if v == Verdict.DIFFERENT)
    return same, different, set(same | different)


def _existing_clusters() -> pl.DataFrame:
    """``record_key, cluster_id`` (the person's public id) of every linked record."""
    link, person = PersonRecordLink._meta.db_table, Person._meta.db_table
    return read_frame(
        f"SELECT l.record_key, p.public_id FROM {quoted(link)} l "  # noqa: S608 - our tables
        f"JOIN {quoted(person)} p ON p.id = l.person_id",
        [],
        {"record_key": pl.Utf8, "cluster_id": pl.Utf8},
    )


def _last_model_path() -> Path | None:
    run = (
        LinkageRun.objects.filter(status=LinkageRun.Status.COMPLETE, incremental=False)
        .exclude(model_path="")
        .first()
    )
    if run is None or not Path(run.model_path).exists():
        return None
    return Path(run.model_path)


class _Clock:
    """Seconds spent in each stage of a run, for its summary."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._since = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self._since
        self._since = now


@dataclass
class _Linked:
    """What a run linked: the result, every current record and every record's cluster."""

    result: Any
    standardised: pl.DataFrame
    clusters: pl.DataFrame  # record_key, cluster_id for every current record
    extract_of: pl.DataFrame  # record_key, extract_id
    scope: IndexScope
    source: str
    notes: list[str] = field(default_factory=list)
    # record_key, cluster_id before the run of the re-clustered records (incremental runs)
    old_clusters: pl.DataFrame | None = None


def _link_everything(settings: LinkageSettings, say: Progress, clock: _Clock) -> _Linked:
    from wraparound.records.selectors import person_records_frame

    records = person_records_frame(with_extract_id=True)
    clock.lap("read_records")
    say(f"linking {records.height:,} records")
    result = link_records(records.drop("extract_id"), settings=settings)
    clock.lap("link")
    standardised = (
        result.standardised if result.standardised is not None else standardise_records(records)
    )
    return _Linked(
        result=result,
        standardised=standardised,
        clusters=result.clusters,
        extract_of=records.select("record_key", "extract_id"),
        scope=IndexScope(),
        source="database",
    )


def _link_incrementally(
    settings: LinkageSettings, model_path: Path, say: Progress, clock: _Clock
) -> _Linked:
    current = load_current_records(model_dir(), _existing_clusters)
    clock.lap("read_records")
    say(f"linking new records against {current.existing.height:,} indexed records")
    result = link_new_records(
        current.standardised, current.existing, model_path=model_path, settings=settings
    )
    clock.lap("link")
    untouched = current.existing.join(result.clusters, on="record_key", how="anti")
    return _Linked(
        result=result,
        standardised=current.standardised,
        clusters=pl.concat([result.clusters.select("record_key", "cluster_id"), untouched]),
        extract_of=current.extract_of,
        scope=IndexScope(whole=False, removed=tuple(current.removed)),
        source=current.source,
        old_clusters=current.existing.join(result.clusters, on="record_key", how="semi"),
    )


def _group_families(linked: _Linked) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """Every person's family (a full run), or only the families the run's changes reach,
    with the memberships of the old families those replace.

    Records leaving the index change people the run did not re-cluster, so a run that
    removes records regroups the county."""
    if linked.old_clusters is None or linked.scope.removed:
        return group_families(linked.standardised, linked.clusters), None
    read: list[pl.DataFrame] = []

    def old_families(people: Sequence[str]) -> pl.DataFrame:
        read.append(memberships_of_families_of(people))
        return read[-1].select(pl.col("member").alias("cluster_id"), "family_id")

    regrouped = regroup_around(
        linked.standardised,
        linked.clusters,
        old_clusters=linked.old_clusters,
        changed_records=linked.result.clusters["record_key"],
        old_families=old_families,
    )
    linked.notes.append(regrouped.note)
    return regrouped.families, (read[0] if regrouped.local else None)


def _keep_linked_records(linked: _Linked, saved: SavedIndex, run: LinkageRun) -> None:
    """Leave the linked records file for the next incremental run (a cache: failing to
    write it costs the next run time, never correctness, so it is a note, not an error)."""
    person_of = linked.clusters.with_columns(
        pl.col("cluster_id").replace(saved.person_of_cluster).alias("person_id")
    )
    try:
        save_linked_records(model_dir(), linked.standardised, linked.extract_of, person_of, run=run)
    except OSError as error:
        linked.notes.append(
            f"linked records file not written ({error}); the next incremental run reads every record"
        )


def run_linkage(
    *,
    backend: str = "duckdb",
    incremental: bool = False,
    match_threshold: float = 0.95,
    review_threshold: float = 0.5,
    progress: Progress | None = None,
) -> LinkageRun:
    """Link every current person record into the index (or only new ones, incrementally)."""
    say = progress or (lambda _message: None)
    run = LinkageRun.objects.create(backend=backend, incremental=incremental)
    clock = _Clock()
    try:
        # before reading anything: the save refuses if the index is written meanwhile
        read_version = index_version.current()
        forced, forbidden, decided = latest_decisions()
        settings = LinkageSettings(
            backend=backend,
            model_dir=model_dir(),
            match_threshold=match_threshold,
            review_threshold=review_threshold,
            forced_links=forced,
            forced_non_links=forbidden,
        )
        model_path = _last_model_path() if incremental else None
        say("reading records")
        if model_path is not None and PersonRecordLink.objects.exists():
            linked = _link_incrementally(settings, model_path, say, clock)
        else:
            run.incremental = False
            linked = _link_everything(settings, say, clock)
        result = linked.result
        say("grouping families")
        families, replacing = _group_families(linked)
        clock.lap("group_families")
        say("saving the index")
        with deferred_checkpoint() as checkpoint:
            saved = save_index(
                result=result,
                families=families,
                run=run,
                decided=decided,
                read_version=read_version,
                scope=linked.scope,
                families_replacing=replacing,
            )
            clock.lap("save_index")
            checkpoint.start()  # the log is copied into the database beside the file's writing
            _keep_linked_records(linked, saved, run)
            clock.lap("save_linked_records")
        clock.lap("checkpoint_wait")
        counts = saved.counts
    except LinkageError as error:
        _fail(run, str(error))
        raise
    except Exception as error:
        _fail(run, f"{type(error).__name__}: {error}")
        raise
    accepted = (
        result.pairs.filter(
            (pl.col("match_probability") >= match_threshold) & ~pl.col("needs_review")
        ).height
        if "needs_review" in result.pairs.columns
        else 0
    )
    run.status = LinkageRun.Status.COMPLETE
    run.finished_at = timezone.now()
    run.model_path = str(result.model_path or "")
    run.records = linked.standardised.height
    run.people = counts.people
    run.families = counts.families
    run.comparisons = result.comparison_count
    run.pairs_auto_accepted = accepted
    run.pairs_for_review = counts.review_pairs
    run.summary = {
        "new_people": counts.new_people,
        "retired_people": counts.retired_people,
        "timings": {k: round(v, 2) for k, v in (result.timings | clock.laps).items()},
        "rows_written": counts.rows_written,
        "comparisons": result.comparisons,
        "warnings": result.warnings + linked.notes,
        "records_read_from": linked.source,
    }
    run.save()
    return run


def _fail(run: LinkageRun, message: str) -> None:
    run.status = LinkageRun.Status.FAILED
    run.finished_at = timezone.now()
    run.summary = {"error": message}
    run.save()
