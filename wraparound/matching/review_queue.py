"""The matching review queue as a data analyst works through it: filters, sorting and counts.

Filters are by agency (either side's record comes from it), by why the pair is waiting (held
back by a rule despite its score, or an uncertain score) and by score band; each option shows
how many pairs it would leave. Reads pair metadata only (record keys, scores, the model's
evidence); names and key fields come through the sharing policy on the page that shows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from wraparound.matching.models import ReviewPair, ReviewStatus

HELD_BACK = "held back"  # the key the linkage writes into ``why`` for a pair a rule held back
# Score bands an analyst works through, most likely the same person first.
BANDS = {
    "high": ("0.9 and above", 0.9, 1.01),
    "middle": ("0.7 to 0.9", 0.7, 0.9),
    "low": ("0.5 to 0.7", 0.5, 0.7),
    "lowest": ("Below 0.5", 0.0, 0.5),
}
REASONS = {
    "held_back": "Held back by a rule (the score alone would have joined them)",
    "uncertain": "The model was unsure",
}
SORTS = {
    "likely": ("Most likely the same person first", ("-match_probability", "pk")),
    "unlikely": ("Least likely first", ("match_probability", "pk")),
    "oldest": ("Waiting longest first", ("created_at", "pk")),
}


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    count: int


@dataclass
class QueueView:
    """The filtered, sorted pairs and the counts beside each filter."""

    pairs: QuerySet[ReviewPair]
    total: int
    shown: int
    chosen: dict[str, str]
    agencies: list[Option] = field(default_factory=list)
    reasons: list[Option] = field(default_factory=list)
    bands: list[Option] = field(default_factory=list)
    sorts: list[tuple[str, str]] = field(default_factory=list)


def pending() -> QuerySet[ReviewPair]:
    return ReviewPair.objects.filter(status=ReviewStatus.PENDING)


def _agency_q(slug: str) -> Q:
    return Q(record_key_l__startswith=f"{slug}:") | Q(record_key_r__startswith=f"{slug}:")


def _reason_q(reason: str) -> Q:
    held = Q(why__has_key=HELD_BACK)
    return held if reason == "held_back" else ~held


def _band_q(band: str) -> Q:
    _, low, high = BANDS[band]
    return Q(match_probability__gte=low, match_probability__lt=high)


def _filters(chosen: dict[str, str], skip: str = "") -> Q:
    q = Q()
    if chosen.get("agency") and skip != "agency":
        q &= _agency_q(chosen["agency"])
    if chosen.get("reason") in REASONS and skip != "reason":
        q &= _reason_q(chosen["reason"])
    if chosen.get("band") in BANDS and skip != "band":
        q &= _band_q(chosen["band"])
    return q


def clean_choices(params: Any, agency_slugs: list[str]) -> dict[str, str]:
    """The query string's filters, unknown values dropped (a bad link shows everything)."""
    chosen = {
        "agency": params.get("agency", ""),
        "reason": params.get("reason", ""),
        "band": params.get("band", ""),
        "sort": params.get("sort", "likely"),
    }
    if chosen["agency"] not in agency_slugs:
        chosen["agency"] = ""
    if chosen["reason"] not in REASONS:
        chosen["reason"] = ""
    if chosen["band"] not in BANDS:
        chosen["band"] = ""
    if chosen["sort"] not in SORTS:
        chosen["sort"] = "likely"
    return chosen


def queue_view(chosen: dict[str, str], agencies: dict[str, str]) -> QueueView:
    """Pairs for the chosen filters; each option counts pairs under the *other* filters."""
    base = pending()
    pairs = base.filter(_filters(chosen)).order_by(*SORTS[chosen["sort"]][1])
    for_agency = base.filter(_filters(chosen, skip="agency"))
    for_reason = base.filter(_filters(chosen, skip="reason"))
    for_band = base.filter(_filters(chosen, skip="band"))
    return QueueView(
        pairs=pairs,
        total=base.count(),
        shown=pairs.count(),
        chosen=chosen,
        agencies=[
            Option(slug, name, for_agency.filter(_agency_q(slug)).count())
            for slug, name in agencies.items()
        ],
        reasons=[
            Option(key, text, for_reason.filter(_reason_q(key)).count())
            for key, text in REASONS.items()
        ],
        bands=[
            Option(key, text, for_band.filter(_band_q(key)).count())
            for key, (text, _, _) in BANDS.items()
        ],
        sorts=[(key, text) for key, (text, _) in SORTS.items()],
    )


def held_back_reason(why: object) -> str:
    """Why a rule held the pair back, or "" when it waits only for an uncertain score."""
    return str(why.get(HELD_BACK, "")) if isinstance(why, dict) else ""


def agencies_in_queue() -> dict[str, str]:
    """Slug -> name of the agencies whose records wait in the queue, by name."""
    from wraparound.core.models import Agency

    slugs: set[str] = set()
    for left, right in pending().values_list("record_key_l", "record_key_r"):
        slugs |= {left.split(":", 1)[0], right.split(":", 1)[0]}
    names = dict(Agency.objects.filter(slug__in=slugs).values_list("slug", "name"))
    return dict(sorted(((s, names.get(s, s)) for s in slugs), key=lambda item: item[1]))


def linked_since(moment: Any) -> Any:
    """The first complete linkage run started after ``moment`` (an import), or None."""
    from wraparound.matching.models import LinkageRun

    runs = LinkageRun.objects.filter(status=LinkageRun.Status.COMPLETE, started_at__gte=moment)
    return runs.order_by("started_at").first()
