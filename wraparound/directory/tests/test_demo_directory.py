"""The demo directory is big and varied enough to show the partnership map."""

from __future__ import annotations

from typing import Any

from wraparound.core.geography import load_geography
from wraparound.core.models import AgencyKind
from wraparound.directory.models import Organization, Service, ServiceArea


def test_demo_directory_has_over_a_hundred_services_from_every_agency_kind(
    demo_directory: dict[str, Any],
) -> None:
    assert Service.objects.count() >= 100
    kinds = set(
        Organization.objects.filter(services__isnull=False).values_list("agency__kind", flat=True)
    )
    assert kinds == set(AgencyKind.values)


def test_demo_directory_serves_every_locality_and_is_deterministic(
    demo_directory: dict[str, Any],
) -> None:
    from wraparound.directory.demo import load_demo

    areas = set(ServiceArea.objects.values_list("name", flat=True))
    for locality in load_geography().localities:
        assert locality in areas
    before = sorted(Service.objects.values_list("id", "name"))
    load_demo({"seed": 1})
    assert sorted(Service.objects.values_list("id", "name")) == before
