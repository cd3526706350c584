"""Every page, for every role, in its users' words: no catalogue code or internal value shown.

Walks the tour (wraparound/core/tests/tour.py: the demo partnership plus the access-table
seeding, every page each role may open) and fails listing each page where a raw code shows.
"""

from __future__ import annotations

import pytest
from django.test import Client

from wraparound.core.labels import label, labels
from wraparound.core.tests.raw_codes import raw_codes_in
from wraparound.core.tests.tour import load_tour_partnership, tour, tour_user


def test_a_catalogue_code_reads_as_its_label() -> None:
    assert label("social_care") == "Children's social care"
    assert "Article 6(1)(e)" in label("ART6_1_E", "lawful_basis")
    assert label("safe_from_abuse") == "Children safe from abuse and exploitation"
    assert label("ae_injury", "event_kind") == "A&E attendance with injury"
    assert labels(["child", "parent"], "sharing") == "Children, Parents and carers"


def test_the_raw_code_check_finds_what_the_tour_found() -> None:
    page = (
        "<main><p>social_care</p><td>suppressed (suppressed)</td><p>hcc-social-care:episodes</p>"
        "<p>nhs_number_std is NULL</p><code>ignored_in_code</code><script>x_y</script></main>"
    )
    found = " ".join(raw_codes_in(page))
    for expected in ("'social_care'", "suppressed twice", "hcc-social-care:episodes", "NULL"):
        assert expected in found
    assert "ignored_in_code" not in found
    assert "x_y" not in found


@pytest.mark.slow
@pytest.mark.django_db
def test_no_page_shows_any_role_a_raw_code() -> None:
    seeded = load_tour_partnership()
    failures: list[str] = []
    clients: dict[str, Client] = {}
    for stop in tour(seeded):
        if stop.role not in clients:
            clients[stop.role] = Client()
            clients[stop.role].force_login(tour_user(stop.role))
        response = clients[stop.role].get(stop.url)
        if response.status_code in (301, 302):  # e.g. sign-in when signed in: not a page
            continue
        if response.status_code != 200:
            failures.append(f"{stop.role} {stop.url}: status {response.status_code}")
            continue
        if "html" not in response.get("Content-Type", ""):
            continue
        failures += [
            f"{stop.role} {stop.url}: {problem}"
            for problem in raw_codes_in(response.content.decode())
        ]
    assert not failures, f"{len(failures)} raw codes on pages:\n" + "\n".join(failures)


@pytest.mark.slow
@pytest.mark.django_db
def test_no_page_offers_a_role_a_link_it_is_then_refused() -> None:
    """Every internal link on every page opens for the role that sees it (one per URL name)."""
    import re

    from django.urls import Resolver404, resolve

    seeded = load_tour_partnership()
    clients: dict[str, Client] = {}
    followed: set[tuple[str, str]] = set()
    refused: list[str] = []
    for stop in tour(seeded):
        if stop.role not in clients:
            clients[stop.role] = Client()
            clients[stop.role].force_login(tour_user(stop.role))
        client = clients[stop.role]
        response = client.get(stop.url)
        if "html" not in response.get("Content-Type", ""):
            continue
        for href in re.findall(r'<a [^>]*href="(/[^"#]*)', response.content.decode()):
            path = href.split("?")[0]
            try:
                name = resolve(path).view_name
            except Resolver404:
                continue
            if path.startswith("/static/") or (stop.role, name) in followed:
                continue
            followed.add((stop.role, name))
            if client.get(href.replace("&amp;", "&")).status_code == 403:
                refused.append(f"{stop.role} on {stop.url}: link to {href} is refused")
    assert followed
    assert not refused, "\n".join(refused)
