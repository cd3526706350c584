"""Every URL, opened by every role of every kind of agency, answers as the access table says."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from wraparound.core.models import AgencyKind, Role
from wraparound.core.navigation import NAVIGATION
from wraparound.core.tests.access_table import EXPECTED, PUBLIC, AccessRow
from wraparound.core.tests.factories import AgencyFactory, UserFactory

# URL names that are not pages of the service (Django internals, static serving).
NOT_PAGES: set[str] = set()


def _named_urls(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _named_urls(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_url_has_a_row_in_the_access_table() -> None:
    listed = {row.url_name for row in EXPECTED}
    missing = _named_urls() - listed - NOT_PAGES
    assert not missing, f"URLs without an access-table row: {sorted(missing)}"
    stale = listed - _named_urls()
    assert not stale, f"Access-table rows for URLs that no longer exist: {sorted(stale)}"


def test_navigation_offers_each_role_exactly_the_sections_it_may_open() -> None:
    by_name = {row.url_name: row for row in EXPECTED}
    for entry in NAVIGATION:
        row = by_name[entry.url_name]
        allowed = set(Role.values) if row.allowed == PUBLIC else set(row.allowed)
        assert set(entry.roles) == allowed, entry.url_name


@pytest.fixture
def seeded(db: Any) -> dict[str, Any]:
    """Objects the URLs need as arguments; apps extend this through their rows' kwargs builders."""
    from wraparound.core.tests import seed

    return seed.seed_for_access_tests()


def _request(client: Client, row: AccessRow, seeded: dict[str, Any]) -> int:
    kwargs = row.kwargs(seeded) if row.kwargs else {}
    url = reverse(row.url_name, kwargs=kwargs)
    query = row.query(seeded) if row.query else {}
    response = client.post(url) if row.method == "post" else client.get(url, query)
    return response.status_code


def test_anonymous_visitor_reaches_public_pages_only(seeded: dict[str, Any]) -> None:
    failures = []
    for row in EXPECTED:
        status = _request(Client(), row, seeded)
        if row.allowed == PUBLIC:
            if status not in row.ok_statuses:
                failures.append((row.url_name, status))
        elif status != 302:
            failures.append((row.url_name, status))
    assert not failures


@pytest.mark.parametrize("role", Role.values)
def test_each_role_of_each_agency_kind_gets_the_expected_answer(
    role: str, seeded: dict[str, Any]
) -> None:
    failures = []
    for kind in AgencyKind.values:
        agency = AgencyFactory(slug=f"access-{kind}", name=f"Access {kind}", kind=kind)
        user = UserFactory(username=f"access-{kind}-{role}", agency=agency, role=role)
        for row in EXPECTED:
            client = Client()
            client.force_login(user)
            status = _request(client, row, seeded)
            allowed = row.allowed == PUBLIC or role in row.allowed
            expected = row.ok_statuses if allowed else frozenset({403})
            if status not in expected:
                failures.append((kind, row.url_name, status, sorted(expected)))
    assert not failures, failures
