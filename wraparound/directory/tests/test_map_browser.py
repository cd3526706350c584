"""A coordinator reads the partnership map in a real browser (Chromium), and it is accessible."""

from __future__ import annotations

from typing import Any

import pytest

from wraparound.core.models import Role
from wraparound.core.tests.browser import assert_accessible, browser_page, sign_in  # noqa: F401
from wraparound.core.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_team_manager_sees_the_map_change_need_and_spot_wards_beyond_reach(
    browser_page: Any,  # noqa: F811
    demo_directory: dict[str, Any],
) -> None:
    page = browser_page
    manager = UserFactory(role=Role.TEAM_MANAGER, username="map-manager")
    sign_in(page, manager.username, TEST_PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Partnership map").click()
    page.wait_for_selector("#partnership-map")
    assert page.locator("#partnership-map g.wa-ward").count() == 20
    assert page.locator("#reach-table tbody tr").count() == 20
    assert page.get_by_role(
        "img", name="Map of Hartshire's wards for Getting a good education"
    ).is_visible()

    page.get_by_label("Need", exact=True).select_option(
        label="Promoting recovery and reducing harm from substance use"
    )
    page.get_by_label("Reach limit (km)").fill("10")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert page.get_by_role(
        "heading", name="Promoting recovery and reducing harm from substance use: reach by ward"
    ).is_visible()
    assert page.locator('g.wa-ward[data-ward="Wyke Down"]').get_attribute("data-band") == "far"
    assert "Wyke Down" in page.locator(".govuk-warning-text").inner_text()
    box = page.locator("#partnership-map").bounding_box()
    assert box is not None
    assert box["width"] > 300
    assert_accessible(page)

    page.get_by_role("link", name="Overlaps").click()
    page.wait_for_selector("#overlaps-table")
    assert page.locator("#overlaps-table tbody tr").count() > 1
    assert_accessible(page)


def test_invalid_reach_limit_is_explained_accessibly(
    browser_page: Any,  # noqa: F811
    demo_directory: dict[str, Any],
) -> None:
    page = browser_page
    practitioner = UserFactory(role=Role.PRACTITIONER, username="map-practitioner")
    sign_in(page, practitioner.username, TEST_PASSWORD)
    page.goto("/directory/map/?max_km=far")
    assert page.get_by_role("alert").is_visible()
    assert (
        "Enter the reach limit as a number of kilometres"
        in page.locator(".govuk-error-summary").inner_text()
    )
    assert_accessible(page)
