"""The public, read-only Open Referral UK 3.0 API (`/oruk/`), as the hosted OpenAPI defines it.

Thin views: parse and check query parameters (a bad one is a 400 naming the parameter and
why), filter with the selectors (AND-combined), page, serialise with `oruk_json`. Every
answer allows any origin (CORS ``*``) because the feed is published for other partnerships.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.db.models import Model, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import is_naive, make_aware

from wraparound.core.geography import distance_km, load_geography
from wraparound.directory import oruk_json, selectors
from wraparound.directory.models import Service, ServiceAtLocation
from wraparound.directory.oruk_openapi import openapi_document

VERSION = "HSDS-UK-3.0"
# ORUK 3.0's own OpenAPI; this API serves a copy made exact for it at /oruk/openapi.json.
PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile"
OPENAPI_URL = "https://openreferraluk.org/specifications/3.0/openapi.json"
DEFAULT_PER_PAGE = 50
ANY_INTEGER = 10**4000  # Python reads integers of up to 4,300 digits; any of them is accepted
MAX_PER_PAGE = 500

View = Callable[..., HttpResponse | StreamingHttpResponse]


class BadParameterError(ValueError):
    def __init__(self, parameter: str, reason: str) -> None:
        super().__init__(f"{parameter}: {reason}")
        self.parameter = parameter
        self.reason = reason


def error(status: int, reason: str, parameter: str | None = None) -> JsonResponse:
    body: dict[str, Any] = {"status": status, "reason": reason}
    if parameter:
        body["parameter"] = parameter
    return JsonResponse(body, status=status)


def public_api(view: View) -> View:
    """GET-only JSON endpoint open to anyone, any origin; bad parameters become 400s."""

    @wraps(view)
    def wrapped(
        request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponse | StreamingHttpResponse:
        if request.method == "OPTIONS":
            response: HttpResponse | StreamingHttpResponse = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, OPTIONS"
            response["Access-Control-Allow-Headers"] = "*"
        elif request.method not in {"GET", "HEAD"}:
            response = error(405, "This API is read-only: use GET.")
            response["Allow"] = "GET, HEAD, OPTIONS"
        elif nul := next((k for k, v in request.GET.lists() if any("\x00" in x for x in v)), None):
            response = error(400, "must not contain a NUL character.", nul)
        else:
            try:
                response = view(request, *args, **kwargs)
            except BadParameterError as bad:
                response = error(400, bad.reason, bad.parameter)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    wrapped.csrf_exempt = True  # type: ignore[attr-defined]
    wrapped.public_api = True  # type: ignore[attr-defined]
    return wrapped


# --- query parameters --------------------------------------------------------------------------


def _int(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameterError(name, f"must be a whole number, got {raw!r}.") from None
    if not low <= value <= high:
        raise BadParameterError(name, f"must be between {low} and {high}, got {value}.")
    return value


def _bool(request: HttpRequest, name: str) -> bool:
    raw = request.GET.get(name, "").strip().lower()
    if raw in {"", "false", "0"}:
        return False
    if raw in {"true", "1"}:
        return True
    raise BadParameterError(name, f"must be true or false, got {raw!r}.")


def _uuid(request: HttpRequest, name: str) -> uuid.UUID | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise BadParameterError(name, f"must be a UUID, got {raw!r}.") from None


def _datetime(request: HttpRequest, name: str) -> dt.datetime | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw.replace("Z", "+00:00"))
        if value is None and (day := parse_date(raw)) is not None:
            value = dt.datetime.combine(day, dt.time.min)
    except ValueError:
        value = None
    if value is None:
        raise BadParameterError(name, f"must be an ISO 8601 date or date-time, got {raw!r}.")
    return make_aware(value, dt.UTC) if is_naive(value) else value


def _format(request: HttpRequest) -> str:
    value = request.GET.get("format", "json").strip().lower() or "json"
    if value not in {"json", "ndjson"}:
        raise BadParameterError("format", f"must be json or ndjson, got {value!r}.")
    return value


def _service_filters(request: HttpRequest) -> dict[str, Any]:
    return {
        "search": request.GET.get("search", "").strip() or None,
        "taxonomy_term_id": _uuid(request, "taxonomy_term_id"),
        "taxonomy_id": _uuid(request, "taxonomy_id"),
        "organization_id": _uuid(request, "organization_id"),
        "modified_after": _datetime(request, "modified_after"),
        "minimum_age": _number(request, "minimum_age"),
        "maximum_age": _number(request, "maximum_age"),
        "day": _day(request),
        "start_time": _time(request, "start_time"),
        "end_time": _time(request, "end_time"),
    }


DAYS = {"MO": "monday", "TU": "tuesday", "WE": "wednesday", "TH": "thursday", "FR": "friday", "SA": "saturday", "SU": "sunday"}  # fmt: skip


def _number(request: HttpRequest, name: str) -> float | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise BadParameterError(name, f"must be a number of years, got {raw!r}.") from None
    if not 0 <= value <= 150:
        raise BadParameterError(name, f"must be between 0 and 150, got {raw}.")
    return value


def _day(request: HttpRequest) -> str | None:
    """An RFC 5545 day code (MO ... SU); full English day names are accepted too."""
    raw = request.GET.get("day", "").strip()
    if not raw:
        return None
    for code, name in DAYS.items():
        if raw.upper() == code or raw.lower() == name:
            return code
    raise BadParameterError("day", f"must be a day such as MO or Monday, got {raw!r}.")


def _time(request: HttpRequest, name: str) -> dt.time | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        return dt.time.fromisoformat(raw)
    except ValueError:
        raise BadParameterError(name, f"must be a time such as 09:30, got {raw!r}.") from None


def paged(
    request: HttpRequest, queryset: QuerySet[Any], render: Callable[[Any], dict[str, Any]]
) -> HttpResponse | StreamingHttpResponse:
    """The ORUK Page envelope, or every item as NDJSON when ``format=ndjson``."""
    # The ORUK schema allows any integer here: out-of-range values are brought into range
    # (page 0 or less is the first page, per_page 0 or less the default, over 500 is 500).
    # Checked even for NDJSON (which has no pages), so a bad value is never silently ignored.
    page = max(1, _int(request, "page", 1, -ANY_INTEGER, ANY_INTEGER))
    per_page = _int(request, "per_page", DEFAULT_PER_PAGE, -ANY_INTEGER, ANY_INTEGER)
    per_page = DEFAULT_PER_PAGE if per_page < 1 else min(per_page, MAX_PER_PAGE)
    if _format(request) == "ndjson":
        lines = (json.dumps(render(item)) + "\n" for item in queryset.iterator(chunk_size=200))
        return StreamingHttpResponse(lines, content_type="application/x-ndjson")
    total = queryset.count()
    total_pages = max(1, math.ceil(total / per_page))
    items = list(queryset[(page - 1) * per_page : page * per_page]) if page <= total_pages else []
    return JsonResponse(
        {
            "total_items": total,
            "total_pages": total_pages,
            "page_number": page,
            "size": len(items),
            "first_page": page == 1,
            "last_page": page >= total_pages,
            "empty": not items,
            "contents": [render(item) for item in items],
        }
    )


def _one(queryset: QuerySet[Any], object_id: str, what: str) -> Model:
    try:
        key = uuid.UUID(object_id)
    except ValueError:
        key = None
    found = queryset.filter(pk=key).first() if key else None
    if found is None:
        raise LookupError(f"No {what} with id {object_id!r}.")
    return found


def _not_found(view: View) -> View:
    @wraps(view)
    def wrapped(
        request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponse | StreamingHttpResponse:
        try:
            return view(request, *args, **kwargs)
        except LookupError as missing:
            return error(404, str(missing))

    return wrapped


# --- endpoints ---------------------------------------------------------------------------------


@public_api
def api_details(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    openapi_url = request.build_absolute_uri(reverse("oruk:openapi"))
    return JsonResponse({"version": VERSION, "profile": PROFILE_URL, "openapi_url": openapi_url})


@public_api
def openapi(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """This API's OpenAPI: ORUK 3.0's, with its schemas bundled and the 400/404 answers listed."""
    server = request.build_absolute_uri(reverse("oruk:api-details")).rstrip("/")
    return JsonResponse(openapi_document(server_url=server))


@public_api
def service_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    full = _bool(request, "full")
    minimal = _bool(request, "minimal")
    queryset = selectors.filter_services(selectors.services(full=full), **_service_filters(request))
    if minimal:
        return paged(
            request,
            queryset,
            lambda s: {"id": str(s.id), "last_modified": oruk_json.timestamp(s.last_modified)},
        )
    return paged(request, queryset, lambda s: oruk_json.service_json(s, full=full))


@public_api
@_not_found
def service_detail(request: HttpRequest, service_id: str) -> HttpResponse | StreamingHttpResponse:
    service = _one(selectors.services(full=True), service_id, "service")
    assert isinstance(service, Service)
    return JsonResponse(oruk_json.service_json(service, full=True))


@public_api
def taxonomy_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    queryset = selectors.taxonomies()
    if search := request.GET.get("search", "").strip():
        queryset = queryset.filter(name__icontains=search)
    return paged(request, queryset, oruk_json.taxonomy_json)


@public_api
@_not_found
def taxonomy_detail(request: HttpRequest, taxonomy_id: str) -> HttpResponse | StreamingHttpResponse:
    return JsonResponse(
        oruk_json.taxonomy_json(_one(selectors.taxonomies(), taxonomy_id, "taxonomy"))  # type: ignore[arg-type]
    )


@public_api
def taxonomy_term_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    queryset = selectors.taxonomy_terms()
    if search := request.GET.get("search", "").strip():
        queryset = queryset.filter(name__icontains=search)
    if taxonomy_id := _uuid(request, "taxonomy_id"):
        queryset = queryset.filter(taxonomy_ref_id=taxonomy_id)
    if _bool(request, "top_only"):
        queryset = queryset.filter(parent__isnull=True)
    if parent_id := _uuid(request, "parent_id"):
        queryset = queryset.filter(parent_id=parent_id)
    return paged(request, queryset, oruk_json.taxonomy_term_json)


@public_api
@_not_found
def taxonomy_term_detail(
    request: HttpRequest, term_id: str
) -> HttpResponse | StreamingHttpResponse:
    term = _one(selectors.taxonomy_terms(), term_id, "taxonomy term")
    return JsonResponse(oruk_json.taxonomy_term_json(term))  # type: ignore[arg-type]


def _with_services(queryset: QuerySet[Any], *, full: bool) -> QuerySet[Any]:
    """Fetch each organisation's services with the page, not one query per organisation."""
    return queryset.prefetch_related(
        Prefetch("services", queryset=selectors.services(full=full), to_attr="oruk_services")
    )


def _services_of(organization: Any, *, full: bool) -> list[dict[str, Any]]:
    if full:
        return [oruk_json.service_json(s, full=True) for s in organization.oruk_services]
    return [{"id": str(s.id)} for s in organization.oruk_services]


@public_api
def organization_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    full = _bool(request, "full")
    full_service = _bool(request, "full_service")
    queryset = selectors.organizations()
    if search := request.GET.get("search", "").strip():
        queryset = queryset.filter(name__icontains=search)
    if full or full_service:
        queryset = _with_services(queryset, full=full_service)

    def render(organization: Any) -> dict[str, Any]:
        if not (full or full_service):
            return oruk_json.organization_json(organization)
        services = _services_of(organization, full=full_service)
        return oruk_json.organization_json(organization, nested=True, services=services)

    return paged(request, queryset, render)


@public_api
@_not_found
def organization_detail(
    request: HttpRequest, organization_id: str
) -> HttpResponse | StreamingHttpResponse:
    full_service = _bool(request, "full_service")
    queryset = _with_services(selectors.organizations(), full=full_service)
    organization = _one(queryset, organization_id, "organization")
    services = _services_of(organization, full=full_service)
    return JsonResponse(
        oruk_json.organization_json(organization, nested=True, services=services)  # type: ignore[arg-type]
    )


def _near_postcode(
    links: Iterable[ServiceAtLocation], postcode: str, proximity_m: int | None
) -> list[uuid.UUID]:
    """Ids of the links serving a postcode: within ``proximity_m`` of it, else covering it."""
    geography = load_geography()
    home = geography.ward_for_postcode(postcode)
    if home is None:
        raise BadParameterError(
            "postcode",
            f"{postcode!r} is not a postcode in this directory's area "
            f"({geography.postcode_area}1 to {geography.postcode_area}{len(geography.wards)}).",
        )
    chosen = []
    for link in links:
        if proximity_m is not None:
            places = [
                geography.ward_for_postcode(a.postal_code) for a in link.location.addresses.all()
            ]
            if any(p and distance_km(p, home) * 1000 <= proximity_m for p in places):
                chosen.append(link.id)
        elif geography.areas_covering(home) & {a.name for a in link.service.service_areas.all()}:
            chosen.append(link.id)
    return chosen


@public_api
def service_at_location_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    full = _bool(request, "full")
    queryset = selectors.filter_services(
        selectors.service_at_locations(), prefix="service__", **_service_filters(request)
    )
    raw_proximity = request.GET.get("proximity", "").strip()
    proximity = _int(request, "proximity", 0, 0, 10**7) if raw_proximity else None
    if postcode := request.GET.get("postcode", "").strip():
        chosen = _near_postcode(
            queryset.prefetch_related("service__service_areas"), postcode, proximity
        )
        queryset = queryset.filter(id__in=chosen)
    elif proximity is not None:
        raise BadParameterError("proximity", "needs a postcode to measure from.")
    return paged(
        request, queryset, lambda link: oruk_json.service_at_location_json(link, with_service=full)
    )


@public_api
@_not_found
def service_at_location_detail(
    request: HttpRequest, link_id: str
) -> HttpResponse | StreamingHttpResponse:
    link = _one(selectors.service_at_locations(), link_id, "service at location")
    return JsonResponse(oruk_json.service_at_location_json(link, with_service=True))  # type: ignore[arg-type]
