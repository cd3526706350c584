"""Raw reads of other capabilities' tables that outcomes needs (records, needs, matching).

Nothing here is shown to a user directly: selectors pass what these return through the sharing
gate. Keeping the raw reads in one small module makes that easy to check (as casework does).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max

from wraparound.core.models import Agency
from wraparound.outcomes.rules import coverage_from
from wraparound.records.models import ExtractStatus, SourceEvent
from wraparound.records.vocabulary import kind_categories
from wraparound.sharing.catalogues import primary_category_for_kind


def record_keys(family_public_id: str) -> list[str]:
    """Every source record key linked to a member of the family (the master index)."""
    from wraparound.casework.sources import family_members

    return [key for _, _, keys in family_members(family_public_id) for key in keys]


def family_events(family_public_id: str, kinds: set[str]) -> list[SourceEvent]:
    """The family's current events of the given kinds, oldest first."""
    keys = record_keys(family_public_id)
    if not keys or not kinds:
        return []
    return list(
        SourceEvent.objects.filter(
            record__record_key__in=keys,
            kind__in=sorted(kinds),
            extract__status=ExtractStatus.CURRENT,
        )
        .select_related("extract__agency")
        .order_by("event_date", "pk")
    )


def event_category(kind: str, agency: Agency) -> str:
    """The data-sharing category of an event, as the family page decides it."""
    return kind_categories().get(kind) or primary_category_for_kind(agency.kind)


def coverage_by_kind(kinds: set[str]) -> dict[str, dt.date]:
    """Up to when the current extracts have data for each kind of event.

    A kind is covered as far as the least current of the agencies that record it (each
    agency's extracts reach its latest event of any kind). A kind no current extract records
    is covered only as far as the least current agency, so an absence of events is never read
    as evidence beyond what the data reach.
    """
    current = SourceEvent.objects.filter(extract__status=ExtractStatus.CURRENT)
    latest = {
        row["extract__agency_id"]: row["latest"]
        for row in current.values("extract__agency_id").annotate(latest=Max("event_date"))
    }
    recorders: dict[str, set[int]] = {}
    pairs = (
        current.filter(kind__in=sorted(kinds)).values_list("kind", "extract__agency_id").distinct()
    )
    for kind, agency_id in pairs:
        recorders.setdefault(kind, set()).add(agency_id)
    return coverage_from(latest, recorders, kinds)


def flags_at(family_public_id: str, on: dt.date) -> list[Any]:
    """The family's need flags from the latest complete needs run on or before ``on``."""
    from wraparound.needs.models import NeedFlag, NeedsRun, RunStatus

    runs = NeedsRun.objects.filter(status=RunStatus.COMPLETE)
    run = runs.filter(reference_date__lte=on).order_by("-reference_date").first()
    run = run or runs.order_by("-reference_date").first()
    if run is None:
        return []
    return list(NeedFlag.objects.filter(run=run, family_public_id=family_public_id))


def family_locality(family_public_id: str) -> str:
    from wraparound.needs.models import FamilyNeedsProfile

    profile = (
        FamilyNeedsProfile.objects.filter(family_public_id=family_public_id)
        .order_by("-run__reference_date")
        .first()
    )
    return profile.locality if profile is not None else ""


def agencies_by_slug() -> dict[str, Agency]:
    return {a.slug: a for a in Agency.objects.all()}


def casework_engagement(family_public_id: str) -> Any:
    """The family's first casework assessment (its engagement), or None."""
    from wraparound.casework.plan_models import Assessment

    return (
        Assessment.objects.filter(case__family_public_id=family_public_id)
        .order_by("started_on", "pk")
        .first()
    )


def casework_closure(family_public_id: str) -> Any:
    """The family's latest casework closure that was not reopened, or None."""
    from wraparound.casework.models import CaseClosure

    closures = CaseClosure.objects.filter(
        case__family_public_id=family_public_id, reopened_at__isnull=True
    )
    return closures.order_by("-closed_at", "-pk").first()


def casework_review_meetings(family_public_id: str) -> list[Any]:
    """The family plan's review meetings (TAF reviews), oldest first."""
    from wraparound.casework.plan_models import ReviewMeeting

    return list(
        ReviewMeeting.objects.filter(plan__case__family_public_id=family_public_id).order_by(
            "held_on", "pk"
        )
    )
