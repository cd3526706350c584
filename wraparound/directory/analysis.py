"""The partnership map's analysis: provision, overlaps, gaps and reach, as pure functions.

No Django here: the inputs are plain records (services as `ServicePoint`s, need counts from
the needs module, families' places and needs), so each figure can be checked by hand in a
test and recomputed from an export. Places are resolved through the schematic `Geography`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from wraparound.core.geography import Geography, Ward, distance_km
from wraparound.directory.vocabulary import AgeGroup


@dataclass(frozen=True)
class ServicePoint:
    """What the map needs to know about one service."""

    id: str
    name: str
    organization: str
    needs: frozenset[str]
    minimum_age: float | None
    maximum_age: float | None
    areas: frozenset[str]  # service-area names: ward, locality or county
    wards: frozenset[str]  # wards it is delivered from (its locations' postcode districts)
    access: str = ""
    threshold: str = ""


@dataclass(frozen=True)
class NeedCount:
    locality: str
    outcome: str
    families: int


@dataclass(frozen=True)
class Overlap:
    locality: str
    outcome: str
    age_group: AgeGroup
    services: tuple[ServicePoint, ...]


@dataclass(frozen=True)
class Gap:
    locality: str
    outcome: str
    families: int


@dataclass(frozen=True)
class FamilyNeed:
    """One family's need, placed by ward name, postcode or postcode district."""

    family: str
    where: str
    outcome: str


@dataclass(frozen=True)
class Reach:
    family: str
    outcome: str
    ward: str | None
    nearest: ServicePoint | None
    distance_km: float | None
    beyond: bool  # no service within the limit (or none at all, or the place is unknown)


def localities_served(point: ServicePoint, geography: Geography) -> set[str]:
    """Localities a service is available in, from its service areas."""
    served: set[str] = set()
    for area in point.areas:
        if area == geography.county:
            return set(geography.localities)
        if area in geography.localities:
            served.add(area)
        elif (ward := geography.place(area)) is not None:
            served.add(ward.locality)
    return served


def provision(
    points: Iterable[ServicePoint], geography: Geography
) -> dict[tuple[str, str], list[ServicePoint]]:
    """(locality, outcome) -> the services available there for that need."""
    table: dict[tuple[str, str], list[ServicePoint]] = defaultdict(list)
    for point in points:
        for locality in localities_served(point, geography):
            for outcome in point.needs:
                table[(locality, outcome)].append(point)
    return dict(table)


def find_overlaps(
    points: Iterable[ServicePoint],
    geography: Geography,
    age_groups: Iterable[AgeGroup],
    *,
    at_least: int = 3,
) -> list[Overlap]:
    """Places where ``at_least`` services offer the same need to the same age group.

    Overlap is not waste by itself: it is where commissioners look first for duplication
    or for a chance to join services up. Largest overlaps first.
    """
    groups = list(age_groups)
    found = []
    for (locality, outcome), services in provision(points, geography).items():
        for group in groups:
            serving = tuple(s for s in services if group.overlaps(s.minimum_age, s.maximum_age))
            if len(serving) >= at_least:
                found.append(Overlap(locality, outcome, group, serving))
    return sorted(
        found, key=lambda o: (-len(o.services), o.locality, o.outcome, o.age_group.minimum_age)
    )


def _count(row: Any) -> NeedCount:
    if isinstance(row, NeedCount):
        return row
    if isinstance(row, Mapping):
        return NeedCount(str(row["locality"]), str(row["outcome"]), int(row["families"]))
    if isinstance(row, tuple | list):
        locality, outcome, families = row
        return NeedCount(str(locality), str(outcome), int(families))
    return NeedCount(str(row.locality), str(row.outcome), int(row.families))


def find_gaps(
    need_counts: Iterable[Any], points: Iterable[ServicePoint], geography: Geography
) -> list[Gap]:
    """Localities where families have a need and no service in the directory offers it.

    ``need_counts`` rows are (locality, outcome, families) as tuples, mappings or objects.
    Most families first.
    """
    available = provision(points, geography)
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for row in need_counts:
        count = _count(row)
        totals[(count.locality, count.outcome)] += count.families
    gaps = [
        Gap(locality, outcome, families)
        for (locality, outcome), families in totals.items()
        if families > 0 and not available.get((locality, outcome))
    ]
    return sorted(gaps, key=lambda g: (-g.families, g.locality, g.outcome))


def _nearest(
    ward: Ward, outcome: str, points: Iterable[ServicePoint], geography: Geography
) -> tuple[ServicePoint | None, float | None]:
    best: tuple[ServicePoint | None, float | None] = (None, None)
    for point in points:
        if outcome not in point.needs:
            continue
        for name in point.wards:
            distance = distance_km(ward, geography.ward(name))
            if best[1] is None or distance < best[1]:
                best = (point, distance)
    return best


def reach(
    families: Iterable[FamilyNeed],
    points: Iterable[ServicePoint],
    geography: Geography,
    *,
    max_km: float,
) -> list[Reach]:
    """For each family's need, the nearest service delivered for it, flagged beyond ``max_km``."""
    candidates = [p for p in points if p.wards]
    result = []
    for family in families:
        ward = geography.place(family.where)
        if ward is None:
            result.append(Reach(family.family, family.outcome, None, None, None, True))
            continue
        nearest, distance = _nearest(ward, family.outcome, candidates, geography)
        beyond = distance is None or distance > max_km
        result.append(Reach(family.family, family.outcome, ward.name, nearest, distance, beyond))
    return result


def ward_reach(
    points: Iterable[ServicePoint], geography: Geography, outcomes: Iterable[str], *, max_km: float
) -> list[Reach]:
    """Reach from the centre of every ward for every need: where any family there would stand."""
    places = [
        FamilyNeed(ward.name, ward.name, outcome)
        for ward in geography.wards
        for outcome in outcomes
    ]
    return reach(places, points, geography, max_km=max_km)
