"""Reads of the directory: querysets the ORUK API, the pages and the partnership map share.

The directory holds no personal data (it is published openly), so no sharing policy applies.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TypeVar

from django.db.models import Prefetch, Q, QuerySet

from wraparound.directory.models import (
    Attribute,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

ServiceOrLink = TypeVar("ServiceOrLink", Service, ServiceAtLocation)

_ATTRIBUTES = Prefetch(
    "attributes",
    queryset=Attribute.objects.select_related("taxonomy_term__taxonomy_ref").order_by("id"),
)
_LOCATION_PREFETCH = ("addresses", _ATTRIBUTES)


def services(*, full: bool = False) -> QuerySet[Service]:
    """Services with what their ORUK representation needs, fetched in a fixed number of queries."""
    queryset = Service.objects.select_related("organization").order_by("name", "id")
    if full:
        queryset = queryset.prefetch_related(
            "schedules",
            "service_areas",
            "cost_options",
            "contacts__phones",
            _ATTRIBUTES,
            Prefetch(
                "at_locations",
                queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                    "location__addresses",
                    Prefetch("location__attributes", queryset=_ATTRIBUTES.queryset),
                ),
            ),
        )
    return queryset


def filter_services(
    queryset: QuerySet[ServiceOrLink],
    *,
    search: str | None = None,
    taxonomy_term_id: uuid.UUID | None = None,
    taxonomy_id: uuid.UUID | None = None,
    organization_id: uuid.UUID | None = None,
    modified_after: dt.datetime | None = None,
    minimum_age: float | None = None,
    maximum_age: float | None = None,
    day: str | None = None,
    start_time: dt.time | None = None,
    end_time: dt.time | None = None,
    prefix: str = "",
) -> QuerySet[ServiceOrLink]:
    """AND-combine the ORUK filters; ``prefix`` lets service_at_location reuse them.

    The age and schedule filters are the ORUK UK profile's: ``minimum_age`` keeps services
    whose minimum age is at least the value, ``maximum_age`` those whose maximum is at most
    it; ``day``, ``start_time`` and ``end_time`` must all hold for one of the schedules.
    """
    if minimum_age is not None:
        queryset = queryset.filter(**{f"{prefix}minimum_age__gte": minimum_age})
    if maximum_age is not None:
        queryset = queryset.filter(**{f"{prefix}maximum_age__lte": maximum_age})
    schedule: dict[str, object] = {}
    if day:
        schedule[f"{prefix}schedules__byday__icontains"] = day
    if start_time:
        schedule[f"{prefix}schedules__opens_at__gte"] = start_time
    if end_time:
        schedule[f"{prefix}schedules__closes_at__lte"] = end_time
    if schedule:
        queryset = queryset.filter(**schedule)
    if search:
        queryset = queryset.filter(
            Q(**{f"{prefix}name__icontains": search})
            | Q(**{f"{prefix}description__icontains": search})
        )
    if taxonomy_term_id:
        queryset = queryset.filter(**{f"{prefix}attributes__taxonomy_term_id": taxonomy_term_id})
    if taxonomy_id:
        queryset = queryset.filter(
            **{f"{prefix}attributes__taxonomy_term__taxonomy_ref_id": taxonomy_id}
        )
    if organization_id:
        queryset = queryset.filter(**{f"{prefix}organization_id": organization_id})
    if modified_after:
        queryset = queryset.filter(**{f"{prefix}last_modified__gte": modified_after})
    return queryset.distinct()


def service_at_locations() -> QuerySet[ServiceAtLocation]:
    queryset = ServiceAtLocation.objects.select_related(
        "location", "service__organization"
    ).prefetch_related(
        "location__addresses", Prefetch("location__attributes", queryset=_ATTRIBUTES.queryset)
    )
    return queryset.order_by("service__name", "id")


def organizations() -> QuerySet[Organization]:
    return Organization.objects.prefetch_related(_ATTRIBUTES).order_by("name", "id")


def taxonomies() -> QuerySet[Taxonomy]:
    return Taxonomy.objects.prefetch_related(
        Prefetch("terms", queryset=TaxonomyTerm.objects.select_related("taxonomy_ref"))
    ).order_by("name", "id")


def taxonomy_terms() -> QuerySet[TaxonomyTerm]:
    return TaxonomyTerm.objects.select_related("taxonomy_ref").order_by("name", "id")


def locations() -> QuerySet[Location]:
    return Location.objects.prefetch_related("addresses").order_by("name", "id")
