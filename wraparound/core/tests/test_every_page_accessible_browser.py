"""axe (WCAG 2.2 AA) on every page of every role, in one browser, against the demo partnership.

Not a sample: the tour (wraparound/core/tests/tour.py) is every page the access table opens to
each role plus the demo's own detail pages, the same pages the raw-code test reads. One
Chromium, one context per role (signed in through the real form), pages visited in a loop;
every violation on every page is collected before the test fails, so one run shows them all.
"""

from __future__ import annotations

from typing import Any

import pytest

from wraparound.core.demo import DEMO_PASSWORD
from wraparound.core.models import Role
from wraparound.core.tests.browser import (  # noqa: F401
    accessibility_violations,
    browser_page,
    sign_in,
)
from wraparound.core.tests.tour import html_pages, load_tour_partnership, tour, tour_user

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_every_page_of_every_role_meets_wcag_2_2_aa(browser_page: Any) -> None:  # noqa: F811
    page = browser_page
    seeded = load_tour_partnership()
    stops = html_pages(tour(seeded))
    failures: list[str] = []
    signed_in_as = ""
    for stop in stops:
        if stop.role != signed_in_as:
            page.context.clear_cookies()
            sign_in(page, tour_user(stop.role).username, DEMO_PASSWORD)
            signed_in_as = stop.role
        response = page.goto(stop.url)
        if response is None or response.status >= 400:
            failures.append(f"{stop.role} {stop.url}: status {response and response.status}")
            continue
        failures += [f"{stop.role} {stop.url}: {v}" for v in accessibility_violations(page)]
    assert {s.role for s in stops} == set(Role.values)
    assert not failures, f"{len(failures)} violations on {len(stops)} pages:\n" + "\n".join(
        failures
    )
