"""The ORUK API passes a crawl like the ORUK validator's, against a live server.

For each list endpoint of the hosted ORUK 3.0 OpenAPI: page 1, a middle page and the last
page, then up to 10 ids from those pages fetched one by one; every response validated against
the schema the OpenAPI document names for it (files from ../shared/standards, no network).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from wraparound.directory.tests.oruk_schemas import (
    openapi,
    page_validator,
    problems,
    response_schema,
)

LISTS = {
    "/services": "/services/{id}",
    "/taxonomies": "/taxonomies/{id}",
    "/taxonomy_terms": "/taxonomy_terms/{id}",
    "/organizations": "/organizations/{id}",
    "/service_at_locations": "/service_at_locations/{id}",
}
ENVELOPE = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}  # fmt: skip


def fetch(base: str, path: str) -> tuple[int, dict[str, str], Any]:
    try:
        with urllib.request.urlopen(base + path, timeout=30) as response:  # noqa: S310 - test server
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as failed:
        return failed.code, dict(failed.headers), json.loads(failed.read())


def nulls(value: Any, where: str = "") -> list[str]:
    """Paths holding null: ORUK feeds leave optional fields out instead."""
    if value is None:
        return [where or "(root)"]
    if isinstance(value, dict):
        return [n for k, v in value.items() for n in nulls(v, f"{where}/{k}")]
    if isinstance(value, list):
        return [n for i, v in enumerate(value) for n in nulls(v, f"{where}/{i}")]
    return []


def check(base: str, path: str, schema_name: str, failures: list[str]) -> Any:
    status, headers, body = fetch(base, path)
    if status != 200:
        failures.append(f"GET {path}: status {status}: {body}")
        return None
    if headers.get("Access-Control-Allow-Origin") != "*":
        failures.append(f"GET {path}: no CORS * header")
    failures += [f"GET {path}: {p}" for p in problems(body, schema_name)]
    failures += [f"GET {path}: null at {n}" for n in nulls(body)]
    return body


def check_page(base: str, path: str, schema_name: str, failures: list[str]) -> dict[str, Any]:
    body = check(base, path, schema_name, failures) or {}
    failures += [f"GET {path}: Page: {e.message}" for e in page_validator().iter_errors(body)]
    if set(body) != ENVELOPE:
        failures.append(f"GET {path}: envelope keys {sorted(body)}")
        return body
    expected_size = len(body["contents"])
    if body["size"] != expected_size or body["empty"] != (expected_size == 0):
        failures.append(f"GET {path}: size/empty disagree with contents")
    if body["first_page"] != (body["page_number"] == 1):
        failures.append(f"GET {path}: first_page flag wrong")
    if body["last_page"] != (body["page_number"] == body["total_pages"]):
        failures.append(f"GET {path}: last_page flag wrong")
    return body


@pytest.mark.django_db(transaction=True)
def test_oruk_api_passes_a_validator_style_crawl_of_the_demo_directory(
    live_server: Any, demo_directory: dict[str, Any]
) -> None:
    base = live_server.url + "/oruk"
    failures: list[str] = []
    details = check(base, "/", response_schema("/"), failures)
    assert details
    assert details["version"] == "HSDS-UK-3.0"
    fetched: dict[str, int] = {}
    for list_path, detail_path in LISTS.items():
        list_schema, detail_schema = response_schema(list_path), response_schema(detail_path)
        first = check_page(base, f"{list_path}?page=1", list_schema, failures)
        total_pages = first.get("total_pages", 1)
        ids: list[str] = []
        for page in sorted({1, (total_pages + 1) // 2, total_pages}):
            body = (
                first
                if page == 1
                else check_page(base, f"{list_path}?page={page}", list_schema, failures)
            )
            ids += [item["id"] for item in body.get("contents", [])]
        for object_id in ids[:: max(1, len(ids) // 10)][:10]:
            check(base, detail_path.format(id=object_id), detail_schema, failures)
            fetched[detail_path] = fetched.get(detail_path, 0) + 1
    assert not failures, "\n".join(failures[:40])
    assert fetched == {path: 10 if path != "/taxonomies/{id}" else 4 for path in LISTS.values()}


@pytest.mark.django_db(transaction=True)
def test_demo_directory_spans_several_pages_so_the_crawl_sees_middle_and_last_pages(
    live_server: Any, demo_directory: dict[str, Any]
) -> None:
    status, _, body = fetch(live_server.url + "/oruk", "/services")
    assert status == 200
    assert body["total_items"] >= 100
    assert body["total_pages"] >= 3


def test_every_required_endpoint_of_the_oruk_openapi_is_crawled() -> None:
    required = {
        path
        for path, item in openapi()["paths"].items()
        if "get" in item and "required" in [t.lower() for t in item["get"].get("tags", [])]
    }
    assert required <= set(LISTS) | set(LISTS.values()) | {"/"}


def test_schema_check_catches_what_the_oruk_validator_would_reject() -> None:
    service = {"id": "not-a-uuid", "name": "Parenting group"}
    found = problems(service, "service.json")
    assert any("status" in p for p in found)
    assert any("not-a-uuid" in p for p in found)
    page = {"contents": [{"id": "7a1f5c1e-2b3c-4d5e-8f90-1a2b3c4d5e6f", "name": 3}]}
    assert problems(page, "taxonomy_term_list.json")
    assert list(page_validator().iter_errors({"total_items": 1}))
