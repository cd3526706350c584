"""The master index: linkage results become people and families with ids that last."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from django.test import Client
from django.urls import reverse

from wraparound.core.models import Role
from wraparound.core.tests.factories import UserFactory
from wraparound.matching.models import (
    Family,
    FamilyMembership,
    IndexChange,
    LinkageRun,
    PairDecision,
    Person,
    PersonRecordLink,
    ReviewPair,
    ReviewStatus,
    Verdict,
)
from wraparound.matching.pipeline.evaluation import pairwise_scores
from wraparound.matching.services import merge_people, run_linkage, split_person
from wraparound.matching.tests.fake_people import fake_records
from wraparound.matching.tests.index_builders import add_records, import_fake_county

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _models_in_tmp(tmp_path: object, settings: Any) -> None:
    settings.MODEL_DIR = tmp_path


def _person_of() -> dict[str, str]:
    return dict(PersonRecordLink.objects.values_list("record_key", "person__public_id"))


def _truth(people: pl.DataFrame) -> pl.DataFrame:
    return people.select("record_key", pl.col("person_id").alias("entity_id"))


def _index_clusters() -> pl.DataFrame:
    return pl.DataFrame(
        list(_person_of().items()), schema=["record_key", "cluster_id"], orient="row"
    )


def test_linking_builds_people_and_families_from_imported_records() -> None:
    people = import_fake_county()
    run = run_linkage()
    assert run.status == LinkageRun.Status.COMPLETE
    assert PersonRecordLink.objects.count() == people.height
    assert run.people == Person.objects.filter(retired_at__isnull=True).count()
    assert pairwise_scores(_index_clusters(), _truth(people))["f1"] >= 0.95
    assert Family.objects.count() == run.families > 0
    assert FamilyMembership.objects.filter(role="child").exists()
    assert Person.objects.first().public_id.startswith("P-")  # type: ignore[union-attr]
    linked = PersonRecordLink.objects.exclude(match_probability=None).first()
    assert linked is not None
    assert "dob" in linked.why


def test_person_and_family_ids_survive_a_rerun() -> None:
    import_fake_county()
    run_linkage()
    people_before = _person_of()
    families_before = dict(
        FamilyMembership.objects.values_list("person__public_id", "family__public_id")
    )
    run_linkage()
    assert _person_of() == people_before
    families_after = dict(
        FamilyMembership.objects.values_list("person__public_id", "family__public_id")
    )
    assert families_after == families_before


def test_a_new_extract_links_to_existing_people_without_relinking() -> None:
    people = import_fake_county()
    run_linkage()
    before = _person_of()
    newcomers = (
        fake_records(40, seed=21)
        .filter(pl.col("source") == "health:gp")
        .with_columns(
            pl.lit("youth:justice").alias("source"),
            (pl.lit("youth:justice:") + pl.col("source_id")).alias("record_key"),
        )
    )
    add_records(newcomers)
    run = run_linkage(incremental=True)
    assert run.incremental
    after = _person_of()
    assert all(after[key] == person for key, person in before.items())
    truth = _truth(pl.concat([people, newcomers]))
    assert pairwise_scores(_index_clusters(), truth)["f1"] >= 0.95


def _two_record_person() -> tuple[str, str]:
    counts = pl.DataFrame(list(_person_of().items()), schema=["record_key", "person"], orient="row")
    pairs = (
        counts.group_by("person")
        .agg(pl.col("record_key"))
        .filter(pl.col("record_key").list.len() == 2)
    )
    left, right = sorted(pairs["record_key"][0])
    return left, right


def test_a_reviewer_ruling_that_records_differ_binds_the_next_run() -> None:
    import_fake_county()
    run_linkage()
    left, right = _two_record_person()
    PairDecision.objects.create(record_key_l=left, record_key_r=right, verdict=Verdict.DIFFERENT)
    run_linkage()
    person_of = _person_of()
    assert person_of[left] != person_of[right]


def test_a_reviewer_ruling_that_records_match_binds_the_next_run() -> None:
    people = import_fake_county()
    run_linkage()
    person_of = _person_of()
    keys = people["record_key"].to_list()
    left = keys[0]
    right = next(k for k in keys if person_of[k] != person_of[left])
    PairDecision.objects.create(
        record_key_l=min(left, right), record_key_r=max(left, right), verdict=Verdict.SAME
    )
    run_linkage()
    person_of = _person_of()
    assert person_of[left] == person_of[right]


def test_merge_and_split_change_the_index_now_and_are_kept_in_history() -> None:
    import_fake_county()
    run_linkage()
    analyst = UserFactory(role=Role.DATA_ANALYST)
    keep, absorb = Person.objects.filter(retired_at__isnull=True).order_by("pk")[:2]
    moved = set(absorb.links.values_list("record_key", flat=True))
    merge_people(user=analyst, keep=keep, absorb=absorb, reason="same child, new school")
    absorb.refresh_from_db()
    assert absorb.merged_into == keep
    assert absorb.retired_at is not None
    assert moved <= set(keep.links.values_list("record_key", flat=True))
    new_person, _ = split_person(
        user=analyst, person=keep, record_keys=sorted(moved), reason="wrong merge"
    )
    assert set(new_person.links.values_list("record_key", flat=True)) == moved
    assert list(IndexChange.objects.values_list("kind", flat=True)) == ["split", "merge"]
    run_linkage()
    person_of = _person_of()
    kept_keys = set(keep.links.values_list("record_key", flat=True))
    assert {person_of[k] for k in moved}.isdisjoint({person_of[k] for k in kept_keys})


def test_analyst_decides_a_pair_from_the_review_page_and_the_view_is_audited() -> None:
    from wraparound.sharing.models import AuditEntry

    import_fake_county()
    run_linkage(match_threshold=0.999, review_threshold=0.3)
    pair = ReviewPair.objects.filter(status=ReviewStatus.PENDING).first()
    assert pair is not None, "a strict threshold leaves pairs for review"
    client = Client()
    client.force_login(UserFactory(role=Role.DATA_ANALYST))
    page = client.get(reverse("matching:pair", kwargs={"pk": pair.pk}))
    assert page.status_code == 200
    # The record is named in words (agency, dataset) with the agency's own record id.
    assert pair.record_key_l.split(":")[-1].encode() in page.content
    assert AuditEntry.objects.filter(
        reason__contains=f"pair {pair.pk}", purpose="linkage_review"
    ).exists()
    response = client.post(
        reverse("matching:pair", kwargs={"pk": pair.pk}), {"verdict": "different"}
    )
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == ReviewStatus.DECIDED
    assert PairDecision.objects.get().verdict == Verdict.DIFFERENT
    queue = client.get(reverse("matching:queue"))
    assert queue.status_code == 200


def test_linking_with_no_records_gives_an_empty_index_not_an_error() -> None:
    run = run_linkage()
    assert run.status == LinkageRun.Status.COMPLETE
    assert (run.records, run.people, run.families) == (0, 0, 0)


def test_link_command_prints_a_summary() -> None:
    from io import StringIO

    from django.core.management import call_command

    import_fake_county(households=10)
    out = StringIO()
    call_command("link", "-v0", stdout=out)
    assert "records ->" in out.getvalue()
    assert "sent to review" in out.getvalue()


def test_analyst_splits_and_merges_people_from_the_person_page() -> None:
    import_fake_county(households=10)
    run_linkage()
    person = next(p for p in Person.objects.all() if p.links.count() >= 2)
    keys = sorted(person.links.values_list("record_key", flat=True))
    client = Client()
    client.force_login(UserFactory(role=Role.DATA_ANALYST))
    page = client.get(reverse("matching:person", kwargs={"public_id": person.public_id}))
    assert page.status_code == 200
    assert keys[0].encode() in page.content
    refused = client.post(
        reverse("matching:split", kwargs={"public_id": person.public_id}), {"record_key": keys[:1]}
    )
    assert refused.status_code == 302
    assert person.links.count() == len(keys), "no reason given: nothing moved"
    split = reverse("matching:split", kwargs={"public_id": person.public_id})
    answers = {"record_key": keys[:1], "reason": "different child"}
    check = client.post(split, answers).content.decode()
    assert f"Check before you split {person.public_id}" in check
    assert PersonRecordLink.objects.get(record_key=keys[0]).person == person, "not before confirm"
    client.post(split, {**answers, "confirm": "yes"})
    moved_to = PersonRecordLink.objects.get(record_key=keys[0]).person
    assert moved_to != person
    merge = reverse("matching:merge", kwargs={"public_id": person.public_id})
    answers = {"other": moved_to.public_id, "reason": "same child after all"}
    check = client.post(merge, answers).content.decode()
    assert f"Merging retires {moved_to.public_id} for good" in check
    assert PersonRecordLink.objects.get(record_key=keys[0]).person == moved_to
    client.post(merge, {**answers, "confirm": "yes"})
    assert PersonRecordLink.objects.get(record_key=keys[0]).person == person
    history = client.get(reverse("matching:history"))
    assert b"Split" in history.content
    assert b"Merge" in history.content


def test_the_person_page_sets_out_the_person_as_a_summary_list_in_words() -> None:
    from wraparound.core.tests.raw_codes import raw_codes_in

    import_fake_county(households=4)
    run_linkage()
    person = Person.objects.filter(retired_at__isnull=True).first()
    assert person is not None
    client = Client()
    client.force_login(UserFactory(role=Role.DATA_ANALYST))
    html = client.get(reverse("matching:person", kwargs={"public_id": person.public_id}))
    text = html.content.decode()
    assert 'data-testid="person-summary"' in text
    assert "Records linked" in text
    assert raw_codes_in(text) == [], "record keys read as the agency and dataset in words"
