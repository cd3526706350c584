"""The ORUK API's filters, errors and headers, as the hosted ORUK 3.0 OpenAPI defines them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from wraparound.directory.models import Service, ServiceAtLocation
from wraparound.directory.services import organization_id_for
from wraparound.directory.vocabulary import ACCESS, NEEDS, taxonomy_id, term_id


def get(path: str) -> tuple[int, Any]:
    response = Client().get("/oruk" + path)
    return response.status_code, response.json()


def ids(path: str) -> set[str]:
    status, body = get(path + ("&" if "?" in path else "?") + "per_page=500")
    assert status == 200, body
    return {item["id"] for item in body["contents"]}


def test_filters_on_services_are_and_combined(demo_directory: dict[str, Any]) -> None:
    substance = term_id(NEEDS, "substance_use")
    icb = organization_id_for("hartshire-icb")
    both = ids(f"/services?taxonomy_term_id={substance}&organization_id={icb}&search=young")
    expected = {
        str(s.id)
        for s in Service.objects.filter(
            attributes__taxonomy_term_id=substance, organization_id=icb, name__icontains="young"
        )
    }
    assert both == expected
    assert both  # the demo has young people's drug and alcohol services
    assert both < ids(f"/services?taxonomy_term_id={substance}")


def test_uk_profile_age_and_schedule_filters_narrow_services(
    demo_directory: dict[str, Any],
) -> None:
    teens = ids("/services?minimum_age=11&maximum_age=17")
    expected = Service.objects.filter(minimum_age__gte=11, maximum_age__lte=17)
    assert teens == {str(s.id) for s in expected}
    assert teens
    assert ids("/services?day=MO&start_time=09:00&end_time=17:00") == ids("/services")
    assert ids("/services?day=Saturday") == set()
    assert ids("/services?start_time=10:00") == set()


def test_taxonomy_id_filter_returns_services_with_any_term_of_that_taxonomy(
    demo_directory: dict[str, Any],
) -> None:
    assert len(ids(f"/services?taxonomy_id={taxonomy_id(ACCESS)}")) == Service.objects.count()


def test_taxonomy_terms_filter_by_taxonomy(demo_directory: dict[str, Any]) -> None:
    status, body = get(f"/taxonomy_terms?taxonomy_id={taxonomy_id(NEEDS)}&top_only=true")
    assert status == 200
    assert body["total_items"] == 10
    assert {t["term"] for t in body["contents"]} >= {"education", "domestic_abuse"}


def test_service_at_locations_near_a_postcode_are_within_the_proximity(
    demo_directory: dict[str, Any],
) -> None:
    near = ids("/service_at_locations?postcode=YH1 2AB&proximity=1000")
    assert near
    postcodes = ServiceAtLocation.objects.filter(id__in=near).values_list(
        "location__addresses__postal_code", flat=True
    )
    assert all(p.startswith("YH1 ") for p in postcodes)
    covering = ids("/service_at_locations?postcode=YH20 1AA")
    names = set(
        ServiceAtLocation.objects.filter(id__in=covering).values_list("service__name", flat=True)
    )
    assert "Operation Encompass" in names  # county-wide
    assert "Ashvale Health Visiting Team" in names  # the ward's locality
    assert "Harbridge Health Visiting Team" not in names


def test_pages_past_the_end_are_empty_not_errors(demo_directory: dict[str, Any]) -> None:
    status, body = get("/services?page=99")
    assert status == 200
    assert body["empty"] is True
    assert body["contents"] == []
    assert body["last_page"] is True


def test_ndjson_format_streams_every_service(demo_directory: dict[str, Any]) -> None:
    response = Client().get("/oruk/services?format=ndjson")
    lines = b"".join(response.streaming_content).decode().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == Service.objects.count()


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("/services?page=zero", "page"),
        ("/services?per_page=ten", "per_page"),
        ("/services?taxonomy_term_id=education", "taxonomy_term_id"),
        ("/services?modified_after=yesterday", "modified_after"),
        ("/services?full=perhaps", "full"),
        ("/services?format=xml", "format"),
        ("/service_at_locations?postcode=SW1A 1AA", "postcode"),
        ("/service_at_locations?proximity=500", "proximity"),
        ("/taxonomy_terms?top_only=yes-please", "top_only"),
        ("/services?minimum_age=toddler", "minimum_age"),
        ("/services?day=someday", "day"),
        ("/services?start_time=9am", "start_time"),
        ("/services?search=%00", "search"),
    ],
)
def test_bad_parameters_get_a_400_naming_the_parameter_and_why(
    db: Any, query: str, parameter: str
) -> None:
    status, body = get(query)
    assert status == 400
    assert body["parameter"] == parameter
    assert body["reason"]
    assert "Traceback" not in body["reason"]


def test_unknown_ids_get_a_json_404(db: Any) -> None:
    for path in ("/services/nope", "/organizations/7a1f5c1e-2b3c-4d5e-8f90-1a2b3c4d5e6f"):
        status, body = get(path)
        assert status == 404
        assert "No " in body["reason"]


def test_api_is_read_only_and_open_to_any_origin(db: Any) -> None:
    response = Client().post("/oruk/services")
    assert response.status_code == 405
    assert response["Access-Control-Allow-Origin"] == "*"
    assert Client().get("/oruk/")["Access-Control-Allow-Origin"] == "*"


def test_organization_lists_its_services(demo_directory: dict[str, Any]) -> None:
    organization = organization_id_for("hartshire-police")
    status, body = get(f"/organizations/{organization}")
    assert status == 200
    assert {s["id"] for s in body["services"]} == {
        str(i)
        for i in Service.objects.filter(organization_id=organization).values_list("id", flat=True)
    }
    status, full = get(f"/organizations/{organization}?full_service=true")
    assert all("attributes" in s for s in full["services"])


@pytest.mark.parametrize(
    ("query", "page_number", "size"),
    [("page=0", 1, 50), ("page=-3", 1, 50), ("per_page=0", 1, 50), ("per_page=-1", 1, 50),
     ("per_page=100000", 1, 136), ("page=0&per_page=2", 1, 2)],
)  # fmt: skip
def test_page_and_per_page_outside_their_range_are_brought_into_it_as_the_schema_allows(
    demo_directory: dict[str, Any], query: str, page_number: int, size: int
) -> None:
    status, body = get(f"/services?{query}")
    assert status == 200
    assert body["page_number"] == page_number
    assert body["size"] == min(size, Service.objects.count())


def test_the_apis_own_openapi_lists_the_400_and_404_it_returns_and_resolves_offline(
    db: Any,
) -> None:
    status, document = get("/openapi.json")
    assert status == 200
    paths = document["paths"]
    assert set(paths["/services"]["get"]["responses"]) == {"200", "400"}
    assert set(paths["/services/{id}"]["get"]["responses"]) == {"200", "400", "404"}
    text = json.dumps(document)
    assert "https://openreferraluk.org/specifications/3.0/schema/" not in text
    assert document["servers"][0]["url"].endswith("/oruk")
    _, details = get("/")
    assert details["openapi_url"].endswith("/oruk/openapi.json")
