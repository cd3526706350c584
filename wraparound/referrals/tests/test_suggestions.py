"""What is already available locally: services fitting the family's needs, children's ages
and home, within reach first and nearest first; and the referral keeps which it came from."""

from __future__ import annotations

import pytest

from wraparound.core.geography import load_geography
from wraparound.directory.analysis import ServicePoint
from wraparound.referrals.suggestions import FamilyFit, rank_services

pytestmark = pytest.mark.pipeline


def _point(
    name: str, needs: set[str], wards: set[str], areas: set[str], ages=(0, 18)
) -> ServicePoint:  # type: ignore[no-untyped-def]
    return ServicePoint(
        id=name,
        name=name,
        organization="Org",
        needs=frozenset(needs),
        minimum_age=ages[0],
        maximum_age=ages[1],
        areas=frozenset(areas),
        wards=frozenset(wards),
    )


def test_nearest_reachable_service_for_a_need_comes_first_and_others_are_left_out() -> None:
    geo = load_geography()
    home, near, far = geo.wards[0], geo.wards[1], geo.wards[-1]
    points = [
        _point("Far housing", {"secure_housing"}, {far.name}, {geo.county}),
        _point("Near housing", {"secure_housing"}, {near.name}, {geo.county}),
        _point("Here housing", {"secure_housing"}, {home.name}, {geo.county}),
        _point("Wrong need", {"education"}, {home.name}, {geo.county}),
        _point("Too old", {"secure_housing"}, {home.name}, {geo.county}, ages=(16, 25)),
        _point("Other locality only", {"secure_housing"}, {far.name}, {far.locality})
        if far.locality != home.locality
        else _point("Wrong need 2", {"health"}, {home.name}, {geo.county}),
    ]
    ranked = rank_services(
        points, needs=["secure_housing"], ages=[4.0, 9.0], home=home.name, geography=geo, max_km=500
    )
    names = [s.name for s in ranked]
    assert names[0] == "Here housing"
    assert ranked[0].distance_km == 0.0
    assert set(names) == {"Here housing", "Near housing", "Far housing"}
    assert [s.rank for s in ranked] == [1, 2, 3]


def test_services_beyond_reach_come_after_those_within_it() -> None:
    geo = load_geography()
    home, far = geo.wards[0], geo.wards[-1]
    points = [
        _point(
            "Far, meets two needs",
            {"secure_housing", "financial_stability"},
            {far.name},
            {geo.county},
        ),
        _point("Close, meets one", {"secure_housing"}, {home.name}, {geo.county}),
    ]
    ranked = rank_services(
        points,
        needs=["secure_housing", "financial_stability"],
        ages=[],
        home=home.name,
        geography=geo,
        max_km=1,
    )
    assert [(s.name, s.within_reach) for s in ranked] == [
        ("Close, meets one", True),
        ("Far, meets two needs", False),
    ]


def test_without_a_known_home_every_service_for_the_need_is_offered_without_a_distance() -> None:
    geo = load_geography()
    ranked = rank_services(
        [_point("Anywhere", {"health"}, {geo.wards[0].name}, {geo.county})],
        needs=["health"],
        ages=[],
        home="",
        geography=geo,
        max_km=8,
    )
    assert [(s.name, s.distance_km, s.within_reach) for s in ranked] == [("Anywhere", None, False)]


def test_the_referral_records_the_suggestion_and_what_else_was_offered() -> None:
    geo = load_geography()
    ranked = rank_services(
        [_point("A", {"health"}, {geo.wards[0].name}, {geo.county})],
        needs=["health"],
        ages=[],
        home=geo.wards[0].name,
        geography=geo,
        max_km=8,
    )
    record = ranked[0].record(["A", "B"])
    assert record["rank"] == 1
    assert record["offered"] == ["A", "B"]
    assert record["needs_met"] == ["health"]
    assert FamilyFit(["health"], [], "").home == ""
