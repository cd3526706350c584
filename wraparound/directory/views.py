"""Directory pages: search, service details, the partnership map, overlaps, gaps, feeds."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from wraparound.core.access import ALL_ROLES, role_required
from wraparound.core.geography import load_geography
from wraparound.core.models import Role
from wraparound.directory import analysis, map_data, selectors
from wraparound.directory.feed import FeedError, decode_feed, export_feed, import_feed
from wraparound.directory.forms import FeedUploadForm, MapForm, OverlapForm, ServiceSearchForm
from wraparound.directory.models import Service
from wraparound.directory.vocabulary import NEEDS, load_age_groups, outcome_labels, term_id
from wraparound.sharing.views.common import signed_in

R = Role
SEARCH_ROLES = ALL_ROLES
MAP_ROLES = frozenset({R.PRACTITIONER, R.TEAM_MANAGER, R.DATA_ANALYST, R.ADMINISTRATOR})
FEED_ROLES = frozenset({R.ADMINISTRATOR, R.DATA_ANALYST})
SEARCH_LIMIT = 100


def _search(form: ServiceSearchForm) -> QuerySet[Service]:
    services = selectors.services().filter(status="active")
    if not form.is_valid():
        return services.none()
    data = form.cleaned_data
    if data["q"]:
        services = services.filter(
            Q(name__icontains=data["q"]) | Q(description__icontains=data["q"])
        )
    if data["need"]:
        services = services.filter(attributes__taxonomy_term_id=term_id(NEEDS, data["need"]))
    if data["locality"]:
        geography = load_geography()
        areas = {data["locality"], geography.county} | {
            w.name for w in geography.wards_in(data["locality"])
        }
        services = services.filter(service_areas__name__in=areas)
    if data["age"] is not None:
        services = services.filter(Q(minimum_age__isnull=True) | Q(minimum_age__lte=data["age"]))
        services = services.filter(Q(maximum_age__isnull=True) | Q(maximum_age__gte=data["age"]))
    return services.distinct()


@role_required(*SEARCH_ROLES)
def search(request: HttpRequest) -> HttpResponse:
    form = ServiceSearchForm(request.GET or {"q": ""})
    services = _search(form)
    total = services.count()
    return render(
        request,
        "directory/search.html",
        {"form": form, "services": services[:SEARCH_LIMIT], "total": total, "limit": SEARCH_LIMIT},
    )


@role_required(*SEARCH_ROLES)
def service_detail(request: HttpRequest, service_id: str) -> HttpResponse:
    service = selectors.services(full=True).filter(pk=service_id).first()
    if service is None:
        raise Http404("No such service in the directory.")
    attributes = sorted(service.attributes.all(), key=lambda a: (a.link_type, a.taxonomy_term.name))
    return render(request, "directory/service.html", {"service": service, "attributes": attributes})


@role_required(*MAP_ROLES)
def partnership_map(request: HttpRequest) -> HttpResponse:
    form = MapForm(request.GET or {})
    need, max_km = form.need_or_default(), form.max_km_or_default()
    geography = load_geography()
    points = map_data.service_points(geography=geography)
    reaches = analysis.ward_reach(points, geography, [need], max_km=max_km)
    marks = map_data.ward_marks(geography, points, reaches, need)
    table = analysis.provision(points, geography)
    labels = outcome_labels()
    width, height = map_data.svg_size(geography)
    matrix = [
        {
            "key": key,
            "label": label,
            "counts": [len(table.get((loc, key), [])) for loc in geography.localities],
        }
        for key, label in labels.items()
    ]
    return render(
        request,
        "directory/map.html",
        {
            "form": form,
            "need": need,
            "need_label": labels[need],
            "max_km": max_km,
            "marks": marks,
            "bands": [
                {"key": k, "fill": f, "label": lbl, "dash": d}
                for k, (f, lbl, d) in map_data.BANDS.items()
            ],
            "beyond": [m for m in marks if m.band in {"far", "none"}],
            "localities": geography.localities,
            "locality_labels": map_data.locality_labels(geography),
            "matrix": matrix,
            "width": width,
            "height": height,
            "service_count": len(points),
        },
    )


@role_required(*MAP_ROLES)
def overlaps(request: HttpRequest) -> HttpResponse:
    form = OverlapForm(request.GET or {})
    at_least = (form.cleaned_data.get("at_least") if form.is_valid() else None) or 3
    geography = load_geography()
    points = map_data.service_points(geography=geography)
    found = analysis.find_overlaps(points, geography, load_age_groups(), at_least=at_least)
    return render(
        request,
        "directory/overlaps.html",
        {"form": form, "overlaps": found, "at_least": at_least, "labels": outcome_labels()},
    )


@role_required(*MAP_ROLES)
def gaps(request: HttpRequest) -> HttpResponse:
    from wraparound.needs.selectors import NeedCountsRefusedError

    geography = load_geography()
    found, refusal = None, ""
    try:
        counts = map_data.need_counts(
            user=signed_in(request), request_id=getattr(request, "request_id", None)
        )
    except NeedCountsRefusedError as refused:
        counts, refusal = None, str(refused)
    if counts is not None:
        found = analysis.find_gaps(counts, map_data.service_points(geography=geography), geography)
    return render(
        request,
        "directory/gaps.html",
        {
            "available": counts is not None,
            "refusal": refusal,
            "gaps": found,
            "labels": outcome_labels(),
            "suppress_below": _suppression_threshold(),
        },
    )


def _suppression_threshold() -> int:
    """Counts of families below this are shown as "fewer than N" (the needs report's rule)."""
    from wraparound.needs.reports import suppression_threshold

    return suppression_threshold()


@role_required(*FEED_ROLES)
def feed(request: HttpRequest) -> HttpResponse:
    problems: list[str] = []
    form = FeedUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = decode_feed(form.cleaned_data["feed"].read())
            summary = import_feed(data)
        except FeedError as refused:
            problems = refused.problems
        else:
            messages.success(request, summary.describe())
            return redirect("directory:feed")
    context: dict[str, Any] = {
        "form": form,
        "problems": problems[:100],
        "more_problems": max(0, len(problems) - 100),
        "service_count": Service.objects.count(),
    }
    return render(request, "directory/feed.html", context, status=400 if problems else 200)


@role_required(*FEED_ROLES)
def feed_export(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        json.dumps(export_feed(), indent=1, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="directory-oruk-feed.json"'
    return response
