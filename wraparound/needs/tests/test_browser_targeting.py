"""A team manager opens the targeting report in a real browser: accessible, CSP-clean, aggregate."""

from __future__ import annotations

import os
from typing import Any

import pytest

from wraparound.core.models import AgencyKind, Role
from wraparound.core.tests.browser import assert_accessible, browser_page, sign_in  # noqa: F401
from wraparound.core.tests.factories import TEST_PASSWORD
from wraparound.needs.tests.test_views import _store_run
from wraparound.sharing.tests import factories as sharing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_reads_the_targeting_matrix_chart_and_trend(browser_page: Any) -> None:  # noqa: F811
    page = browser_page
    council = sharing.agency(AgencyKind.EARLY_HELP, slug="hcc-early-help")
    sharing.agency(AgencyKind.POLICE, slug="hartshire-police")
    sharing.agency(AgencyKind.HOUSING, slug="hartshire-homes")
    sharing.worker(council, Role.TEAM_MANAGER, username="grace")
    sharing.agreement(parties=[council], shares=[], purposes=("service_planning_aggregate",))
    _store_run()

    page.goto("/sign-in/")
    sign_in(page, "grace", TEST_PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Targeting").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Targeting")
    assert page.get_by_role(
        "img", name="Share of families in each targeting group, by locality"
    ).is_visible()
    assert page.get_by_role("table", name="Families by locality").is_visible()
    assert page.get_by_role("link", name="Download CSV").is_visible()
    assert "F-AAA" not in page.content()
    assert_accessible(page)
    if shot := os.environ.get("WRAPAROUND_SCREENSHOT_DIR"):
        page.screenshot(path=f"{shot}/needs-targeting.png", full_page=True)
