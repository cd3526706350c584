"""A person signs in, finds their way with the navigation, and signs out, in a real browser."""

from __future__ import annotations

from typing import Any

import pytest

from wraparound.core.models import Role
from wraparound.core.tests.browser import assert_accessible, browser_page, sign_in  # noqa: F401
from wraparound.core.tests.factories import TEST_PASSWORD, AgencyFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_signs_in_navigates_and_signs_out(browser_page: Any) -> None:  # noqa: F811
    page = browser_page
    agency = AgencyFactory(slug="hcc-early-help", name="Early Help Service", kind="early_help")
    UserFactory(username="grace", agency=agency, role=Role.TEAM_MANAGER)

    page.goto("/")
    assert_accessible(page)
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in to Wraparound"
    assert_accessible(page)

    sign_in(page, "grace", TEST_PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == "Team manager home"
    assert page.get_by_role("main").is_visible()
    assert page.get_by_role("navigation", name="Menu").is_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Users").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Users"
    assert page.locator("td", has_text="grace").count() == 1
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_role("heading", level=1).inner_text() == "You have signed out"
    page.goto("/home/")
    assert "/sign-in/" in page.url


def test_practitioner_is_not_offered_pages_their_role_cannot_use(browser_page: Any) -> None:  # noqa: F811
    page = browser_page
    agency = AgencyFactory(slug="hartshire-police", name="Constabulary", kind="police")
    UserFactory(username="harry", agency=agency, role=Role.PRACTITIONER)
    sign_in(page, "harry", TEST_PASSWORD)
    menu = page.get_by_role("navigation", name="Menu")
    assert menu.get_by_role("link", name="Users").count() == 0
    page.goto("/users/")
    assert (
        page.get_by_role("heading", level=1).inner_text() == "You do not have access to this page"
    )
    assert_accessible(page)


def test_wrong_password_error_is_announced_and_linked_to_the_field(browser_page: Any) -> None:  # noqa: F811
    page = browser_page
    UserFactory(username="isla")
    sign_in(page, "isla", "wrong-password")
    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    assert_accessible(page)
