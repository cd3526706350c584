"""Business actions on the master index: link, decide a pair, merge and split people.

Each action is one function with keyword-only arguments and one transaction. Reviewers'
rulings are stored as ``PairDecision`` rows and fed to every later linkage run as forced
links / non-links, so a human decision is never silently undone by the model.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

# Linking itself lives in ``linkage_runs``; ``run_linkage`` is kept importable from here.
from wraparound.matching import index_version
from wraparound.matching.linkage_runs import run_linkage  # noqa: F401
from wraparound.matching.models import (
    IndexChange,
    PairDecision,
    Person,
    ReviewPair,
    ReviewStatus,
    Verdict,
    new_public_id,
)
from wraparound.matching.pipeline.clusters import pair_key


class IndexActionError(Exception):
    """A manual change to the index that cannot be made as asked."""


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
        index_version.advance()
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
        index_version.advance()
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
