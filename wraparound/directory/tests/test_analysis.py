"""Overlaps, gaps and reach, checked by hand on a tiny county."""

from __future__ import annotations

import pytest

from wraparound.core.geography import GeographyError, build_geography
from wraparound.directory.analysis import (
    FamilyNeed,
    NeedCount,
    ServicePoint,
    find_gaps,
    find_overlaps,
    reach,
)
from wraparound.directory.vocabulary import AgeGroup

pytestmark = pytest.mark.pipeline

LOCALITIES = {
    "county": "Testshire",
    "postcode_area": "YH",
    "localities": [
        {
            "name": "Town",
            "wards": [{"name": "Centre", "district": 1}, {"name": "Docks", "district": 2}],
        },
        {"name": "Fens", "wards": [{"name": "Marsh", "district": 3}]},
    ],
}
GEOGRAPHY = {
    "width_km": 30,
    "height_km": 10,
    "wards": [
        {"ward": "Centre", "district": 1, "x_km": 0, "y_km": 0},
        {"ward": "Docks", "district": 2, "x_km": 3, "y_km": 4},
        {"ward": "Marsh", "district": 3, "x_km": 20, "y_km": 0},
    ],
}
COUNTY = build_geography(GEOGRAPHY, LOCALITIES)
YOUNG = AgeGroup("under_5", "Under 5", 0, 4)
TEENS = AgeGroup("secondary", "12 to 17", 12, 17)


def service(
    name: str,
    needs: set[str],
    areas: set[str],
    wards: set[str],
    ages: tuple[float | None, float | None] = (0, 18),
) -> ServicePoint:
    return ServicePoint(
        name, name, "Org", frozenset(needs), ages[0], ages[1], frozenset(areas), frozenset(wards)
    )


def test_several_services_for_the_same_need_age_and_locality_are_an_overlap() -> None:
    points = [
        service("A", {"early_years"}, {"Town"}, {"Centre"}, (0, 4)),
        service("B", {"early_years"}, {"Docks"}, {"Docks"}, (0, 5)),
        service("C", {"early_years"}, {"Testshire"}, {"Marsh"}, (1, 3)),
        service("D", {"early_years"}, {"Town"}, {"Centre"}, (12, 17)),  # different age group
    ]
    found = find_overlaps(points, COUNTY, [YOUNG, TEENS], at_least=3)
    assert [
        (o.locality, o.outcome, o.age_group.key, {s.name for s in o.services}) for o in found
    ] == [("Town", "early_years", "under_5", {"A", "B", "C"})]


def test_a_gap_is_a_locality_with_families_in_need_and_no_service_for_it() -> None:
    points = [service("Recovery", {"substance_use"}, {"Town"}, {"Centre"})]
    counts = [
        ("Town", "substance_use", 30),
        {"locality": "Fens", "outcome": "substance_use", "families": 7},
        NeedCount("Fens", "housing", 0),  # no families: not a gap
    ]
    assert [(g.locality, g.outcome, g.families) for g in find_gaps(counts, points, COUNTY)] == [
        ("Fens", "substance_use", 7)
    ]


def test_county_wide_services_close_gaps_everywhere() -> None:
    points = [service("Helpline", {"domestic_abuse"}, {"Testshire"}, set())]
    assert find_gaps([("Fens", "domestic_abuse", 3)], points, COUNTY) == []


def test_reach_is_the_distance_to_the_nearest_service_for_the_familys_need() -> None:
    points = [
        service("Central hub", {"health"}, {"Town"}, {"Centre"}),
        service("Docks clinic", {"health"}, {"Town"}, {"Docks"}),
        service("Money advice", {"financial_stability"}, {"Town"}, {"Docks"}),
    ]
    families = [
        FamilyNeed("F-1", "Docks", "health"),  # by ward name
        FamilyNeed("F-2", "YH3 2AB", "health"),  # by postcode: Marsh
        FamilyNeed("F-3", "YH1", "financial_stability"),  # by district: Centre
        FamilyNeed("F-4", "ZZ9 9ZZ", "health"),  # unknown place
        FamilyNeed("F-5", "Centre", "substance_use"),  # no service at all
    ]
    result = {r.family: r for r in reach(families, points, COUNTY, max_km=10)}
    assert (result["F-1"].nearest.name, result["F-1"].distance_km, result["F-1"].beyond) == (
        "Docks clinic",
        0.0,
        False,
    )  # type: ignore[union-attr]
    assert result["F-2"].ward == "Marsh"
    assert result["F-2"].distance_km == pytest.approx(((20 - 3) ** 2 + 4**2) ** 0.5)
    assert result["F-2"].beyond is True
    assert result["F-3"].distance_km == 5.0
    assert result["F-3"].beyond is False
    assert result["F-4"].ward is None
    assert result["F-4"].beyond is True
    assert result["F-5"].nearest is None
    assert result["F-5"].beyond is True


def test_geography_must_place_every_ward_of_the_county_with_its_own_district() -> None:
    missing = {**GEOGRAPHY, "wards": GEOGRAPHY["wards"][:2]}
    with pytest.raises(GeographyError, match="Marsh"):
        build_geography(missing, LOCALITIES)
    wrong = {
        **GEOGRAPHY,
        "wards": [*GEOGRAPHY["wards"][:2], {**GEOGRAPHY["wards"][2], "district": 9}],
    }
    with pytest.raises(GeographyError, match="district 9"):
        build_geography(wrong, LOCALITIES)


def test_the_real_geography_places_every_ward_of_hartshire() -> None:
    from wraparound.core.geography import load_geography

    geography = load_geography()
    assert len(geography.wards) == 20
    assert geography.place("YH12 3AB").name == "Stowmere Town"  # type: ignore[union-attr]
    assert all(
        0 <= w.x_km <= geography.width_km and 0 <= w.y_km <= geography.height_km
        for w in geography.wards
    )
