"""What is already available locally: directory services that fit a family, nearest first.

``rank_services`` is pure (no Django): services that offer at least one of the family's needs,
serve at least one of its children's ages, and are available where the family lives, ordered
within the partnership map's reach limit first, then by distance from home to where the service
is delivered, then by how many of the needs they meet. ``suggestions_for_family`` reads the
family's needs, children's dates of birth and home postcode through the family page (one
audited read through the sharing gate), so the suggestions use only what the user may see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from wraparound.core.geography import Geography, distance_km
from wraparound.directory.analysis import ServicePoint, localities_served

MAX_SUGGESTIONS = 10


@dataclass(frozen=True)
class Suggestion:
    rank: int
    service_id: str
    name: str
    organization: str
    needs_met: tuple[str, ...]
    distance_km: float | None
    within_reach: bool
    access: str
    threshold: str

    def record(self, offered: list[str]) -> dict[str, Any]:
        """What a referral keeps about the suggestion it came from, for evaluation."""
        return {**asdict(self), "needs_met": list(self.needs_met), "offered": offered}


def age_on(dob: dt.date, day: dt.date) -> float:
    years = day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
    return float(years)


def _serves_ages(point: ServicePoint, ages: list[float]) -> bool:
    if not ages:
        return True
    low = point.minimum_age if point.minimum_age is not None else 0.0
    high = point.maximum_age if point.maximum_age is not None else 200.0
    return any(low <= age <= high for age in ages)


def rank_services(
    points: Iterable[ServicePoint],
    *,
    needs: Iterable[str],
    ages: Iterable[float],
    home: str,
    geography: Geography,
    max_km: float,
    limit: int = MAX_SUGGESTIONS,
) -> list[Suggestion]:
    """Services fitting the needs, ages and home (a postcode or ward), most reachable first."""
    wanted, child_ages = set(needs), list(ages)
    ward = geography.place(home) if home else None
    found = []
    for point in points:
        met = wanted & point.needs
        if not met or not _serves_ages(point, child_ages):
            continue
        if ward is not None and ward.locality not in localities_served(point, geography):
            continue
        distances = [distance_km(ward, geography.ward(w)) for w in point.wards] if ward else []
        distance = min(distances) if distances else None
        reachable = distance is not None and distance <= max_km
        found.append((point, tuple(sorted(met)), distance, reachable))
    found.sort(key=lambda f: (not f[3], f[2] if f[2] is not None else 1e9, -len(f[1]), f[0].name))
    return [
        Suggestion(
            rank=n,
            service_id=p.id,
            name=p.name,
            organization=p.organization,
            needs_met=met,
            distance_km=round(d, 1) if d is not None else None,
            within_reach=reach,
            access=p.access,
            threshold=p.threshold,
        )
        for n, (p, met, d, reach) in enumerate(found[:limit], start=1)
    ]


@dataclass(frozen=True)
class FamilyFit:
    """What the suggestions use about a family, as the user may see it."""

    needs: list[str]
    ages: list[float]
    home: str  # a postcode, or "" when the user may not see one


def family_fit(
    *, user: Any, family_public_id: str, purpose: str, request_id: str | None = None
) -> FamilyFit:
    """Needs, children's ages and home postcode from the family page's gated read.

    Raises ``FamilyNotVisibleError`` when the user may not open the family.
    """
    from wraparound.casework.family_page import build_family_page

    page = build_family_page(
        user=user, family_public_id=family_public_id, purpose=purpose, request_id=request_id
    )
    return fit_from_page(page)


def fit_from_page(page: Any, today: dt.date | None = None) -> FamilyFit:
    """The fit from an already-built family page (casework's), with no further read."""
    today = today or dt.date.today()
    needs = [n["outcome"] for n in page.needs]
    ages = [age_on(m.dob, today) for m in page.members if m.dob and m.role == "child"]
    postcodes = [r.postcode for m in page.members for r in m.records if getattr(r, "postcode", "")]
    return FamilyFit(needs, ages, postcodes[0] if postcodes else "")


def suggest(fit: FamilyFit, *, limit: int = MAX_SUGGESTIONS) -> list[Suggestion]:
    """Rank the directory for a family's fit (the directory is public: no gate needed)."""
    from wraparound.core.geography import load_geography
    from wraparound.directory.map_data import DEFAULT_REACH_MAX_KM, service_points

    geography = load_geography()
    return rank_services(
        service_points(geography=geography),
        needs=fit.needs,
        ages=fit.ages,
        home=fit.home,
        geography=geography,
        max_km=DEFAULT_REACH_MAX_KM,
        limit=limit,
    )


def suggestions_for_family(
    *, user: Any, family_public_id: str, purpose: str, request_id: str | None = None
) -> list[Suggestion]:
    """The family page's "what is already available locally" list (one audited read)."""
    return suggest(
        family_fit(
            user=user, family_public_id=family_public_id, purpose=purpose, request_id=request_id
        )
    )


__all__ = [
    "FamilyFit",
    "Suggestion",
    "family_fit",
    "fit_from_page",
    "rank_services",
    "suggest",
    "suggestions_for_family",
]
