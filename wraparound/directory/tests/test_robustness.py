"""Whatever a feed or a query string holds, the answer is a clear refusal, never a crash."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wraparound.directory.feed import FeedError, import_feed
from wraparound.directory.models import Service

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
SERVICE = {
    "id": "0b6f4f5e-1d2c-4a3b-9c8d-7e6f5a4b3c2d",
    "name": "Parenting group",
    "status": "active",
    "minimum_age": 0,
    "maximum_age": 17,
    "service_areas": [{"id": "1b6f4f5e-1d2c-4a3b-9c8d-7e6f5a4b3c2d", "name": "Harbridge"}],
}
FIELDS = ["id", "name", "status", "minimum_age", "maximum_age", "url", "email", "service_areas", "assured_date", "organization_id"]  # fmt: skip


@pytest.mark.django_db
@SETTINGS
@given(feed=JSON)
def test_any_json_is_imported_or_refused_with_a_feed_error(feed: Any) -> None:
    try:
        import_feed(feed)
    except FeedError as refused:
        problems = refused.problems
        assert problems


def test_a_nul_character_is_refused_rather_than_crashing_postgresql(db: Any) -> None:
    with pytest.raises(FeedError, match="NUL"):
        import_feed([{**SERVICE, "name": "Parenting\x00group"}])


@pytest.mark.parametrize("field", ["assured_date", "minimum_age"])
def test_an_empty_string_in_an_optional_date_or_number_means_not_given(db: Any, field: str) -> None:
    import_feed([{**SERVICE, field: ""}])
    assert getattr(Service.objects.get(pk=SERVICE["id"]), field) is None


@pytest.mark.django_db
@SETTINGS
@given(field=st.sampled_from(FIELDS), value=JSON)
def test_a_service_with_any_value_in_any_field_is_imported_whole_or_not_at_all(
    field: str, value: Any
) -> None:
    record = {**json.loads(json.dumps(SERVICE)), field: value}
    problems: list[str] = []
    try:
        import_feed([record])
    except FeedError as refused:
        problems = refused.problems
    if problems:
        assert all(": " in problem for problem in problems)
        assert not Service.objects.filter(pk=SERVICE["id"]).exists()
    else:
        assert Service.objects.filter(name=record["name"]).exists()
    Service.objects.all().delete()


PARAMETERS = ["page", "per_page", "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after", "full", "minimal", "format", "minimum_age", "maximum_age", "day", "start_time", "end_time", "postcode", "proximity", "top_only", "parent_id", "full_service", "search"]  # fmt: skip
PATHS = ["/oruk/services", "/oruk/service_at_locations", "/oruk/taxonomy_terms", "/oruk/organizations", "/oruk/taxonomies"]  # fmt: skip


@pytest.mark.django_db
@SETTINGS
@given(
    path=st.sampled_from(PATHS),
    query=st.dictionaries(st.sampled_from(PARAMETERS), st.text(max_size=20), max_size=4),
)
def test_any_query_string_gets_a_page_or_a_400_with_a_reason(
    path: str, query: dict[str, str]
) -> None:
    response = Client().get(path, query)
    assert response.status_code in {200, 400}
    if response.status_code == 400:
        assert response.json()["reason"]
    elif query.get("format", "").strip().lower() != "ndjson":
        assert "contents" in response.json()
