"""Service points are built once per directory state, and a feed that changes it is seen at once."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from wraparound.core.geography import load_geography
from wraparound.directory.feed import export_feed, import_feed
from wraparound.directory.map_data import service_points
from wraparound.directory.models import ServiceAtLocation


def _points() -> dict[str, Any]:
    return {p.id: p for p in service_points(geography=load_geography())}


def test_an_unchanged_directory_is_not_read_again(demo_directory: dict[str, Any]) -> None:
    first = _points()
    with CaptureQueriesContext(connection) as queries:
        again = _points()
    assert again == first
    assert len(queries) == 1  # the fingerprint, not the services


def test_a_feed_renaming_or_withdrawing_a_service_is_seen_by_the_next_read(
    demo_directory: dict[str, Any],
) -> None:
    before = _points()
    feed = json.loads(json.dumps(export_feed()))
    renamed, withdrawn = feed["services"][0], feed["services"][1]
    renamed["name"] = "Renamed family hub sessions"
    withdrawn["status"] = "inactive"
    import_feed({"services": [renamed, withdrawn]})
    after = _points()
    assert after[renamed["id"]].name == "Renamed family hub sessions"
    assert withdrawn["id"] in before
    assert withdrawn["id"] not in after


def test_moving_a_shared_location_changes_the_wards_of_every_service_there(
    demo_directory: dict[str, Any],
) -> None:
    """The feed names one service; another delivered at the same place must move with it."""
    shared = (
        ServiceAtLocation.objects.values("location_id")
        .annotate(n=Count("service_id", distinct=True))
        .filter(n__gte=2)
        .order_by("location_id")
        .values_list("location_id", flat=True)
        .first()
    )
    assert shared is not None, "the demo directory has a place shared by two services"
    named, other = (
        ServiceAtLocation.objects.filter(location_id=shared)
        .order_by("service_id")
        .values_list("service_id", flat=True)
        .distinct()[:2]
    )
    geography = load_geography()
    before = _points()
    ward = next(w for w in geography.wards if w.name not in before[str(other)].wards)
    feed = json.loads(json.dumps(export_feed()))
    service = next(s for s in feed["services"] if s["id"] == str(named))
    for link in service["service_at_locations"]:
        if link["location"]["id"] == str(shared):
            for address in link["location"]["addresses"]:
                address["postal_code"] = f"{geography.postcode_area}{ward.district} 1AA"
    import_feed({"services": [service]})
    assert ward.name in _points()[str(other)].wards
