"""The index changes only where linkage changed it, and an incremental run starts from
the linked records file rather than the whole database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.db import connection
from django.utils import timezone

from wraparound.core.models import Role
from wraparound.core.tests.factories import UserFactory
from wraparound.matching import index_version
from wraparound.matching.index_version import IndexChangedError
from wraparound.matching.linked_records import FILE_NAME
from wraparound.matching.models import FamilyMembership, LinkageRun, Person, PersonRecordLink
from wraparound.matching.pipeline.evaluation import pairwise_scores
from wraparound.matching.pipeline.families import group_families
from wraparound.matching.pipeline.standardise import standardise_records
from wraparound.matching.services import merge_people, run_linkage, split_person
from wraparound.matching.tests.fake_people import fake_records
from wraparound.matching.tests.index_builders import add_records, import_fake_county
from wraparound.records.models import Extract, ExtractStatus, SourceRecord
from wraparound.records.selectors import person_records_frame

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _models_in_tmp(tmp_path: Path, settings: Any) -> None:
    settings.MODEL_DIR = tmp_path


def _link_rows() -> dict[str, tuple[Any, ...]]:
    return {
        row[0]: row[1:]
        for row in PersonRecordLink.objects.values_list(
            "record_key", "pk", "person__public_id", "match_probability", "why", "linked_at"
        )
    }


def _newcomers() -> pl.DataFrame:
    """Records of another agency: the fake county's people seen by a youth justice team."""
    return (
        fake_records(40, seed=21)
        .filter(pl.col("source") == "health:gp")
        .with_columns(
            pl.lit("youth:justice").alias("source"),
            (pl.lit("youth:justice:") + pl.col("source_id")).alias("record_key"),
        )
    )


def test_a_rerun_that_finds_the_same_people_writes_nothing() -> None:
    import_fake_county()
    run_linkage()
    before = _link_rows()
    memberships = set(FamilyMembership.objects.values_list("pk", "person_id", "family_id"))
    again = run_linkage()
    assert _link_rows() == before
    assert set(FamilyMembership.objects.values_list("pk", "person_id", "family_id")) == memberships
    assert set(again.summary["rows_written"].values()) == {0}


def test_a_probability_that_moved_only_in_its_last_bits_is_not_rewritten() -> None:
    """DuckDB sums in parallel, so the same model can give 0.9619288919924862 one run and
    ...861 the next: a rerun must not rewrite a link for that, but must for a real change."""
    import_fake_county()
    run_linkage()
    scored = PersonRecordLink.objects.filter(match_probability__isnull=False).order_by("pk")
    noise, real = scored[0], scored[1]
    PersonRecordLink.objects.filter(pk=noise.pk).update(
        match_probability=noise.match_probability * (1 - 1e-15)
    )
    PersonRecordLink.objects.filter(pk=real.pk).update(
        match_probability=real.match_probability - 0.01
    )
    again = run_linkage()
    assert again.summary["rows_written"]["links_updated"] == 1
    assert PersonRecordLink.objects.get(pk=real.pk).match_probability == real.match_probability


def test_an_incremental_run_writes_only_the_rows_of_the_people_it_touched() -> None:
    people = import_fake_county()
    run_linkage()
    before = _link_rows()
    newcomers = _newcomers()
    add_records(newcomers)
    run = run_linkage(incremental=True)
    assert run.incremental
    assert "linked records file, 1 new extract" in run.summary["records_read_from"]
    after = _link_rows()
    written = run.summary["rows_written"]
    assert written["links_inserted"] == newcomers.height
    assert written["links_deleted"] == 0
    touched = {after[key][1] for key in after if key.startswith("youth:")}
    untouched = [key for key in before if after[key][1] not in touched]
    assert untouched, "the newcomers are some of the county's people, not all"
    assert all(after[key] == before[key] for key in untouched), "their rows are not rewritten"
    changed = [key for key in before if after[key] != before[key]]
    assert len(changed) == written["links_updated"]
    truth = pl.concat([people, newcomers]).select(
        "record_key", pl.col("person_id").alias("entity_id")
    )
    clusters = pl.DataFrame(
        [(key, row[1]) for key, row in after.items()],
        schema=["record_key", "cluster_id"],
        orient="row",
    )
    assert pairwise_scores(clusters, truth)["f1"] >= 0.95
    assert FamilyMembership.objects.filter(person__links__record_key__startswith="youth:").exists()


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL plans a join by cost, whatever its order"
)
def test_an_incremental_run_looks_up_its_records_by_key_instead_of_scanning_the_index() -> None:
    """An incremental run reads the links of the records it re-clustered (85,000 of a
    million at 430k households). SQLite, with no statistics, scans the whole link table
    for a plain join with the keys; the key-first join looks each key up in the index. The
    same holds for the memberships of the families its people belong to."""
    import_fake_county()
    run_linkage()
    add_records(_newcomers())
    plans: list[str] = []

    def explain(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith("SELECT") and "wp_keys_" in sql:
            context["cursor"].execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plans.append(" / ".join(str(row[-1]) for row in context["cursor"].fetchall()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(explain):
        run_linkage(incremental=True)
    assert plans, "the incremental run joins its keys in SQL"
    for plan in plans:
        scanned = {step for step in plan.split(" / ") if step.startswith("SCAN")}
        # only the keys, or what was found from them first; every other table by its index
        assert scanned <= {"SCAN k", "SCAN keyed"}, plan
        assert plan.index("SCAN k") < plan.index("SEARCH"), plan


def _index_families() -> set[frozenset[str]]:
    members: dict[int, set[str]] = {}
    for family, person in FamilyMembership.objects.filter(
        family__retired_at__isnull=True
    ).values_list("family_id", "person__public_id"):
        members.setdefault(family, set()).add(person)
    return {frozenset(people) for people in members.values()}


def test_an_incremental_run_regroups_families_only_around_its_people_as_a_full_regroup_would() -> (
    None
):
    import_fake_county()
    run_linkage()
    few = _newcomers().filter(pl.col("family_id").is_in(["f1", "f2", "f3"]))
    add_records(few)
    run = run_linkage(incremental=True)

    note = next(w for w in run.summary["warnings"] if w.startswith("families regrouped"))
    assert note.startswith("families regrouped around "), note
    regrouped, county = (int(n.replace(",", "")) for n in note.split()[3:6:2])
    assert regrouped < county
    links = pl.DataFrame(
        list(PersonRecordLink.objects.values_list("record_key", "person__public_id")),
        schema=["record_key", "cluster_id"],
        orient="row",
    )
    everywhere = group_families(standardise_records(person_records_frame()), links)
    grouped = everywhere.group_by("family_key").agg(pl.col("cluster_id"))
    assert _index_families() == {frozenset(m) for m in grouped["cluster_id"].to_list()}


def test_an_incremental_run_with_nothing_new_changes_nothing() -> None:
    import_fake_county()
    run_linkage()
    before = _link_rows()
    run = run_linkage(incremental=True)
    assert run.incremental
    assert _link_rows() == before
    assert set(run.summary["rows_written"].values()) == {0}


def test_an_incremental_run_keeps_a_reviewers_merge_made_after_the_last_run() -> None:
    import_fake_county()
    run_linkage()
    keep, absorb = Person.objects.filter(retired_at__isnull=True).order_by("pk")[:2]
    moved = set(absorb.links.values_list("record_key", flat=True))
    merge_people(
        user=UserFactory(role=Role.DATA_ANALYST), keep=keep, absorb=absorb, reason="same child"
    )
    add_records(_newcomers())
    run = run_linkage(incremental=True)
    assert "people from the index" in run.summary["records_read_from"]
    kept = set(keep.links.values_list("record_key", flat=True))
    assert moved <= kept


def test_records_of_an_extract_no_longer_current_leave_the_index_incrementally() -> None:
    import_fake_county()
    run_linkage()
    extract = Extract.objects.filter(dataset_kind="census").get()
    dropped = list(extract.records.values_list("record_key", flat=True))
    extract.status = ExtractStatus.SUPERSEDED
    extract.save(update_fields=["status"])
    newer = Extract.objects.create(
        agency=extract.agency,
        dataset_kind=extract.dataset_kind,
        file_name="census-newer.csv",
        sha256="f" * 64,
        file_format="csv",
        received_at=timezone.now(),
    )
    kept = extract.records.order_by("pk")[:3]
    SourceRecord.objects.bulk_create(
        [
            SourceRecord(
                extract=newer,
                row_number=n,
                record_key=record.record_key,
                source_id=record.source_id,
                first_name=record.first_name,
                surname=record.surname,
                dob=record.dob,
            )
            for n, record in enumerate(kept, start=1)
        ]
    )
    run = run_linkage(incremental=True)
    linked = set(PersonRecordLink.objects.values_list("record_key", flat=True))
    still = {record.record_key for record in kept}
    assert still <= linked
    assert linked.isdisjoint(set(dropped) - still)
    assert run.summary["rows_written"]["links_deleted"] == len(dropped) - len(still)


def test_an_unreadable_linked_records_file_means_reading_the_database(tmp_path: Path) -> None:
    import_fake_county()
    run_linkage()
    before = _link_rows()
    (tmp_path / FILE_NAME).write_bytes(b"not parquet")
    run = run_linkage(incremental=True)
    assert run.summary["records_read_from"].startswith("database")
    assert _link_rows() == before
    assert (tmp_path / FILE_NAME).read_bytes()[:4] == b"PAR1", "the run writes a good file"


def _links_by_person() -> dict[str, str]:
    return dict(PersonRecordLink.objects.values_list("record_key", "person__public_id"))


def test_a_run_writes_nothing_over_a_merge_made_while_it_was_linking() -> None:
    """A reviewer merges two people while an incremental run is between reading and saving:
    the run refuses to save (it would write from a reading the merge has made stale), says
    why, and the merge stands. The next run starts from the merged index."""
    import_fake_county()
    run_linkage()
    add_records(_newcomers())
    keep, absorb = Person.objects.filter(retired_at__isnull=True).order_by("pk")[:2]
    analyst = UserFactory(role=Role.DATA_ANALYST)

    def merge_meanwhile(stage: str) -> None:
        if stage == "saving the index":
            merge_people(user=analyst, keep=keep, absorb=absorb, reason="same child")

    with pytest.raises(IndexChangedError, match="nothing was written"):
        run_linkage(incremental=True, progress=merge_meanwhile)
    after_merge = _links_by_person()
    assert not any(key.startswith("youth:justice:") for key in after_merge)
    assert set(absorb.links.values_list("record_key", flat=True)) == set()
    refused = LinkageRun.objects.order_by("-pk").first()
    assert refused is not None
    assert refused.status == LinkageRun.Status.FAILED
    assert "merged or split" in refused.summary["error"]

    again = run_linkage(incremental=True)
    assert again.status == LinkageRun.Status.COMPLETE
    linked = _links_by_person()
    assert any(key.startswith("youth:justice:") for key in linked)
    assert {linked[key] for key in after_merge if after_merge[key] == keep.public_id} == {
        keep.public_id
    }


def test_of_two_runs_that_read_the_same_index_only_the_first_to_save_writes() -> None:
    import_fake_county()
    run_linkage()
    add_records(_newcomers())
    finished: list[LinkageRun] = []

    def another_run_saves_first(stage: str) -> None:
        if stage == "saving the index" and not finished:
            finished.append(run_linkage(incremental=True))

    with pytest.raises(IndexChangedError):
        run_linkage(incremental=True, progress=another_run_saves_first)
    assert finished[0].status == LinkageRun.Status.COMPLETE
    assert finished[0].summary["rows_written"]["links_inserted"] == _newcomers().height


def test_merges_splits_and_saves_each_advance_the_index_version() -> None:
    import_fake_county()
    assert index_version.current() == 0
    run_linkage()
    assert index_version.current() == 1
    analyst = UserFactory(role=Role.DATA_ANALYST)
    keep, absorb = Person.objects.filter(retired_at__isnull=True).order_by("pk")[:2]
    merge_people(user=analyst, keep=keep, absorb=absorb, reason="same child")
    assert index_version.current() == 2
    moving = keep.links.values_list("record_key", flat=True)[:1]
    split_person(user=analyst, person=keep, record_keys=list(moving), reason="not the same")
    assert index_version.current() == 3


@pytest.mark.django_db(transaction=True)
def test_the_version_advances_only_inside_the_transaction_that_writes_the_index() -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        index_version.advance()
