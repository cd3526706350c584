"""Feeds the partnership map: services as `ServicePoint`s, need counts, and the SVG's shapes.

The reach limit defaults to ``WRAPAROUND_REACH_MAX_KM`` (8 km) and can be changed per view.
Need counts come from `wraparound.needs.selectors.need_counts_by_locality(user=...)` when the
needs module provides it (an aggregate the sharing gate releases and audits); until then the
map says so rather than showing invented numbers.
"""

from __future__ import annotations

import importlib
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection

from wraparound.core.geography import Geography
from wraparound.directory.analysis import Reach, ServicePoint
from wraparound.directory.models import (
    Address,
    Attribute,
    Location,
    Organization,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from wraparound.directory.vocabulary import ACCESS, NEEDS, THRESHOLD, taxonomy_id
from wraparound.sharing.readers import Reader

DEFAULT_REACH_MAX_KM = float(settings.REACH_MAX_KM)
SVG_SCALE = 12  # pixels per km
SVG_MARGIN = 30


_POINTS_LOCK = threading.Lock()
_points_cache: dict[str, tuple[tuple[object, ...], list[ServicePoint]]] = {}


def directory_fingerprint() -> tuple[object, ...]:
    """A few cheap aggregates, in one query, that change whenever the directory's contents do.

    Every directory write goes through `feed.import_feed`, which stamps ``last_modified`` on
    each service it carries (places and terms only arrive inside a service), so the latest
    stamp moves; rows added or removed change a count. Equal fingerprints, same directory.
    """
    stamped = [Service, Organization]
    counted = [Attribute, TaxonomyTerm, Location, Address, ServiceAtLocation, ServiceArea]
    table = {m: connection.ops.quote_name(m._meta.db_table) for m in stamped + counted}
    # Table names come from the models, never from input: nothing here can be injected.
    counts = [f"(SELECT COUNT(*) FROM {table[m]})" for m in stamped + counted]  # noqa: S608
    latest = [f"(SELECT MAX(last_modified) FROM {table[m]})" for m in stamped]  # noqa: S608
    sql = "SELECT " + ", ".join(counts + latest)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


def service_points(*, geography: Geography) -> list[ServicePoint]:
    """Every active service with its needs, ages, areas and the wards it is delivered from.

    Built once per process and per directory state (`directory_fingerprint`): the family
    page's "what is available locally" panel asks on every view, and building the points
    (prefetching every service's areas, locations and addresses) was over half of that page's
    time under load. The points are public directory data, so the cache holds nothing personal.
    """
    key = (id(geography), *directory_fingerprint())
    with _POINTS_LOCK:
        cached = _points_cache.get("points")
    if cached is not None and cached[0] == key:
        return list(cached[1])
    points = _build_service_points(geography=geography)
    with _POINTS_LOCK:
        _points_cache["points"] = (key, points)
    return list(points)


def _build_service_points(*, geography: Geography) -> list[ServicePoint]:
    keys = {
        taxonomy_id(NEEDS): NEEDS,
        taxonomy_id(ACCESS): ACCESS,
        taxonomy_id(THRESHOLD): THRESHOLD,
    }
    terms: dict[Any, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    rows = Attribute.objects.filter(
        service__isnull=False, taxonomy_term__taxonomy_ref_id__in=list(keys)
    ).values_list("service_id", "taxonomy_term__taxonomy_ref_id", "taxonomy_term__term")
    for service_id, taxonomy, term in rows:
        terms[service_id][keys[taxonomy]].add(term)
    points = []
    services = Service.objects.filter(status="active").select_related("organization")
    services = services.prefetch_related("service_areas", "at_locations__location__addresses")
    for service in services:
        wards = {
            ward.name
            for link in service.at_locations.all()
            for address in link.location.addresses.all()
            if (ward := geography.ward_for_postcode(address.postal_code)) is not None
        }
        tags = terms.get(service.id, {})
        points.append(
            ServicePoint(
                id=str(service.id),
                name=service.name,
                organization=service.organization.name if service.organization else "",
                needs=frozenset(tags.get(NEEDS, set())),
                minimum_age=float(service.minimum_age) if service.minimum_age is not None else None,
                maximum_age=float(service.maximum_age) if service.maximum_age is not None else None,
                areas=frozenset(a.name or a.service_area for a in service.service_areas.all()),
                wards=frozenset(wards),
                access=",".join(sorted(tags.get(ACCESS, set()))),
                threshold=",".join(sorted(tags.get(THRESHOLD, set()))),
            )
        )
    return points


def need_counts(*, user: Reader, request_id: str | None = None) -> list[Any] | None:
    """Per-locality need counts from the needs module, or None while it cannot provide them.

    The needs module releases them only through the sharing gate's aggregate question, audited;
    its refusal (``NeedCountsRefusedError``) propagates to the page, which says why.
    """
    try:
        module = importlib.import_module("wraparound.needs.selectors")
    except ModuleNotFoundError as missing:
        if missing.name in {"wraparound.needs", "wraparound.needs.selectors"}:
            return None
        raise
    counts = getattr(module, "need_counts_by_locality", None)
    if counts is None:
        return None
    result = counts(user=user, request_id=request_id)
    return None if result is None else list(result)


@dataclass(frozen=True)
class WardMark:
    """One ward's circle on the map and the figures behind it (also shown in the table)."""

    name: str
    locality: str
    cx: float
    cy: float
    delivered_here: int
    reach: Reach
    band: str  # "here", "near", "far" or "none"
    fill: str
    dash: str


BANDS = {
    "here": ("#0b0c0c", "Delivered in the ward", ""),
    "near": ("#1d70b8", "Within the reach limit", ""),
    "far": ("#d4351c", "Beyond the reach limit", "4 3"),
    "none": ("#b1b4b6", "No service for this need", "2 2"),
}


def svg_size(geography: Geography) -> tuple[float, float]:
    return (
        geography.width_km * SVG_SCALE + 2 * SVG_MARGIN,
        geography.height_km * SVG_SCALE + 2 * SVG_MARGIN,
    )


def to_svg(geography: Geography, x_km: float, y_km: float) -> tuple[float, float]:
    """Grid km (y north) to SVG pixels (y down)."""
    return (
        round(SVG_MARGIN + x_km * SVG_SCALE, 1),
        round(SVG_MARGIN + (geography.height_km - y_km) * SVG_SCALE, 1),
    )


def ward_marks(
    geography: Geography, points: list[ServicePoint], reaches: list[Reach], outcome: str
) -> list[WardMark]:
    by_ward = {r.family: r for r in reaches if r.outcome == outcome}
    marks = []
    for ward in geography.wards:
        result = by_ward[ward.name]
        here = sum(1 for p in points if outcome in p.needs and ward.name in p.wards)
        if result.nearest is None:
            band = "none"
        elif here:
            band = "here"
        else:
            band = "far" if result.beyond else "near"
        cx, cy = to_svg(geography, ward.x_km, ward.y_km)
        fill, _, dash = BANDS[band]
        marks.append(WardMark(ward.name, ward.locality, cx, cy, here, result, band, fill, dash))
    return marks


def locality_labels(geography: Geography) -> list[dict[str, Any]]:
    labels = []
    for locality in geography.localities:
        wards = geography.wards_in(locality)
        x, _ = to_svg(geography, sum(w.x_km for w in wards) / len(wards), 0)
        _, y = to_svg(geography, 0, max(w.y_km for w in wards) + 3.5)
        labels.append({"name": locality, "x": x, "y": y})
    return labels
