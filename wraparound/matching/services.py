"""Business actions on the master index: link, decide a pair, merge and split people.

Each action is one function with keyword-only arguments and one transaction. Reviewers'
rulings are stored as ``PairDecision`` rows and fed to every later linkage run as forced
links / non-links, so a human decision is never silently undone by the model.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone

from wraparound.matching.index import save_index
from wraparound.matching.models import (
    IndexChange,
    LinkageRun,
    PairDecision,
    Person,
    PersonRecordLink,
    ReviewPair,
    ReviewStatus,
    Verdict,
    new_public_id,
)
from wraparound.matching.pipeline import LinkageError, LinkageSettings, link_records
from wraparound.matching.pipeline.clusters import PairKey, pair_key
from wraparound.matching.pipeline.families import group_families
from wraparound.matching.pipeline.incremental import link_new_records
from wraparound.matching.pipeline.standardise import standardise_records

Progress = Callable[[str], None]


class IndexActionError(Exception):
    """A manual change to the index that cannot be made as asked."""


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
    rows = PersonRecordLink.objects.values_list("record_key", "person__public_id")
    return pl.DataFrame(
        list(rows), schema={"record_key": pl.Utf8, "cluster_id": pl.Utf8}, orient="row"
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


def run_linkage(
    *,
    backend: str = "duckdb",
    incremental: bool = False,
    match_threshold: float = 0.95,
    review_threshold: float = 0.5,
    progress: Progress | None = None,
) -> LinkageRun:
    """Link every current person record into the index (or only new ones, incrementally)."""
    from wraparound.records.selectors import person_records_frame

    say = progress or (lambda _message: None)
    run = LinkageRun.objects.create(backend=backend, incremental=incremental)
    try:
        say("reading records")
        records = person_records_frame()
        forced, forbidden, decided = latest_decisions()
        settings = LinkageSettings(
            backend=backend,
            model_dir=model_dir(),
            match_threshold=match_threshold,
            review_threshold=review_threshold,
            forced_links=forced,
            forced_non_links=forbidden,
        )
        existing = _existing_clusters() if incremental else None
        model_path = _last_model_path() if incremental else None
        if existing is not None and model_path is not None and not existing.is_empty():
            say(f"linking new records against {existing.height:,} indexed records")
            result = link_new_records(records, existing, model_path=model_path, settings=settings)
        else:
            run.incremental = False
            say(f"linking {records.height:,} records")
            result = link_records(records, settings=settings)
        say("grouping families")
        standardised = (
            result.standardised if result.standardised is not None else standardise_records(records)
        )
        families = group_families(standardised, result.clusters)
        say("saving the index")
        counts = save_index(result=result, families=families, run=run, decided=decided)
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
    run.records = records.height
    run.people = counts.people
    run.families = counts.families
    run.comparisons = result.comparison_count
    run.pairs_auto_accepted = accepted
    run.pairs_for_review = counts.review_pairs
    run.summary = {
        "new_people": counts.new_people,
        "retired_people": counts.retired_people,
        "timings": {k: round(v, 2) for k, v in result.timings.items()},
        "comparisons": result.comparisons,
        "warnings": result.warnings,
    }
    run.save()
    return run


def _fail(run: LinkageRun, message: str) -> None:
    run.status = LinkageRun.Status.FAILED
    run.finished_at = timezone.now()
    run.summary = {"error": message}
    run.save()


REVIEWER_ROLES = frozenset({"data_analyst"})


class StaleReviewError(IndexActionError):
    """Someone ruled on the pair since the reviewer opened it; the message says what."""


def _require_reviewer(user: Any, what: str) -> None:
    """Only data analysts change the index; a refusal is audited (it appears as denied)."""
    if getattr(user, "role", None) not in REVIEWER_ROLES or not getattr(user, "agency_id", None):
        _audit(user, f"Refused {what}: only data analysts review record linkage", "deny")
        raise IndexActionError("Only data analysts review record linkage.")


def _audit(user: Any, reason: str, outcome: str = "permit", person: str = "") -> None:
    from wraparound.sharing.audit import record_access

    record_access(
        user=user,
        action="amend",
        outcome=outcome,
        purpose="linkage_review",
        person_public_id=person,
        reason=reason[:2000],
    )


def decide_pair(
    *,
    user: Any,
    pair: ReviewPair,
    verdict: str,
    reason: str = "",
    expected_latest: int | None = None,
) -> PairDecision:
    """Record a reviewer's ruling; "same"/"different" bind every later linkage run.

    ``expected_latest`` is the id of the latest ruling the reviewer saw (0 for none): when
    someone has ruled since, the decision is refused with theirs, so neither silently wins.
    """
    _require_reviewer(user, f"a decision on pair {pair.pk}")
    if verdict not in Verdict.values:
        raise IndexActionError(f"Unknown verdict {verdict!r}: use one of {Verdict.values}")
    with transaction.atomic():
        pair = ReviewPair.objects.select_for_update().get(pk=pair.pk)
        latest = (
            PairDecision.objects.filter(
                record_key_l=pair.record_key_l, record_key_r=pair.record_key_r
            )
            .select_related("decided_by")
            .order_by("-pk")
            .first()
        )
        if expected_latest is not None and (latest.pk if latest else 0) != expected_latest:
            assert latest is not None
            who = latest.decided_by.username if latest.decided_by else "someone"
            raise StaleReviewError(
                f"{who} ruled on this pair since you opened it: {latest.get_verdict_display()}"
                + (f" ({latest.reason})" if latest.reason else "")
                + f" at {timezone.localtime(latest.decided_at):%H:%M}. Your decision was not "
                "saved: check theirs and decide again if you disagree."
            )
        decision = PairDecision.objects.create(
            record_key_l=pair.record_key_l,
            record_key_r=pair.record_key_r,
            verdict=verdict,
            decided_by=user,
            reason=reason[:500],
        )
        if verdict != Verdict.UNSURE:
            pair.status = ReviewStatus.DECIDED
            pair.save(update_fields=["status"])
        _audit(
            user,
            f"Pair {pair.pk} ({pair.record_key_l} ~ {pair.record_key_r}) ruled "
            f"{decision.get_verdict_display().lower()}" + (f": {reason}" if reason else ""),
        )
    return decision


def merge_people(*, user: Any, keep: Person, absorb: Person, reason: str) -> IndexChange:
    """Move all of ``absorb``'s records to ``keep`` now, and bind later runs to it."""
    _require_reviewer(user, f"a merge of {absorb.public_id} into {keep.public_id}")
    if keep.pk == absorb.pk:
        raise IndexActionError("A person cannot be merged with themselves")
    if keep.retired_at or absorb.retired_at:
        raise IndexActionError("Only current people can be merged")
    with transaction.atomic():
        moved = list(absorb.links.values_list("record_key", flat=True))
        anchor = keep.links.values_list("record_key", flat=True).first()
        absorb.links.update(person=keep)
        for membership in absorb.memberships.all():
            if not keep.memberships.filter(family=membership.family).exists():
                membership.person = keep
                membership.save(update_fields=["person"])
        absorb.memberships.all().delete()
        absorb.retired_at = timezone.now()
        absorb.merged_into = keep
        absorb.save(update_fields=["retired_at", "merged_into"])
        if anchor and moved:
            left, right = pair_key(anchor, moved[0])
            PairDecision.objects.create(
                record_key_l=left,
                record_key_r=right,
                verdict=Verdict.SAME,
                decided_by=user,
                reason=f"Manual merge of {absorb.public_id} into {keep.public_id}: {reason}"[:500],
            )
        change = IndexChange.objects.create(
            kind=IndexChange.Kind.MERGE,
            actor=user,
            reason=reason[:500],
            detail={"kept": keep.public_id, "absorbed": absorb.public_id, "records": moved},
        )
        _audit(
            user,
            f"Merged {absorb.public_id} into {keep.public_id} ({len(moved)} records): {reason}",
            person=keep.public_id,
        )
        return change


def split_person(
    *, user: Any, person: Person, record_keys: list[str], reason: str
) -> tuple[Person, IndexChange]:
    """Move ``record_keys`` out of ``person`` into a new person, and keep them apart."""
    _require_reviewer(user, f"a split of {person.public_id}")
    with transaction.atomic():
        all_keys = set(person.links.values_list("record_key", flat=True))
        moving = set(record_keys)
        if not moving or not moving <= all_keys or moving == all_keys:
            raise IndexActionError(
                "Choose some, but not all, of this person's records to move to a new person"
            )
        new_person = Person.objects.create(public_id=new_public_id("P"))
        person.links.filter(record_key__in=moving).update(person=new_person)
        for membership in person.memberships.all():
            membership.pk = None
            membership.person = new_person
            membership.save()
        PairDecision.objects.bulk_create(
            [
                PairDecision(
                    record_key_l=pair_key(a, b)[0],
                    record_key_r=pair_key(a, b)[1],
                    verdict=Verdict.DIFFERENT,
                    decided_by=user,
                    reason=f"Manual split of {person.public_id}: {reason}"[:500],
                )
                for a in sorted(moving)
                for b in sorted(all_keys - moving)
            ]
        )
        change = IndexChange.objects.create(
            kind=IndexChange.Kind.SPLIT,
            actor=user,
            reason=reason[:500],
            detail={
                "from": person.public_id,
                "to": new_person.public_id,
                "records": sorted(moving),
            },
        )
        _audit(
            user,
            f"Split {len(moving)} records of {person.public_id} into {new_person.public_id}: "
            f"{reason}",
            person=person.public_id,
        )
    return new_person, change
