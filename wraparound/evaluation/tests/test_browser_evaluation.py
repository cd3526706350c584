"""A commissioner reads two evaluated services in a real browser: accessible, CSP-clean."""

from __future__ import annotations

import os
from typing import Any

import pytest
from playwright.sync_api import expect

from wraparound.core.models import AgencyKind, Role
from wraparound.core.tests.browser import assert_accessible, browser_page, sign_in  # noqa: F401
from wraparound.core.tests.factories import TEST_PASSWORD
from wraparound.directory.models import Service
from wraparound.evaluation import services
from wraparound.evaluation.tests.frames import county
from wraparound.evaluation.tests.seed import draft_plan
from wraparound.sharing.tests import factories as sharing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_commissioner_compares_a_service_that_works_with_one_that_does_not(
    browser_page: Any,  # noqa: F811
) -> None:
    page = browser_page
    council = sharing.agency(AgencyKind.SOCIAL_CARE, slug="hcc-social-care")
    sharing.agreement(parties=[council], shares=[], purposes=("service_evaluation_aggregate",))
    analyst = sharing.worker(council, Role.DATA_ANALYST)
    sharing.worker(council, Role.TEAM_MANAGER, username="grace")
    for reduction, name in (
        (0.5, "Edge of Care and Reunification Team"),
        (0.0, "Young Victims Service"),
    ):
        made = county(reduction=reduction)
        plan = services.lock_plan(
            user=analyst,
            plan=draft_plan(service=Service.objects.create(name=name), title=f"Does {name} work?"),
        )
        services.run_plan(
            user=analyst,
            plan=plan,
            inputs=services.RunInputs(made.events, made.membership, made.deprivation, "test"),
        )

    sign_in(page, "grace", TEST_PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Service evaluations"
    ).click()
    assert_accessible(page)
    page.get_by_role("link", name="Does Edge of Care and Reunification Team work?").click()
    # expect() waits for the page the click opens; is_visible() would race the navigation.
    expect(
        page.get_by_role("img", name="Love plot: covariate balance before and after matching")
    ).to_be_visible()
    assert (
        page.get_by_test_id("verdict-social_care_referral")
        .inner_text()
        .startswith("Fewer families")
    )
    assert page.get_by_role("link", name="Download CSV").is_visible()
    assert_accessible(page)
    if shot := os.environ.get("WRAPAROUND_SCREENSHOT_DIR"):
        page.screenshot(path=f"{shot}/evaluation-plan.png", full_page=True)
    page.go_back()
    page.get_by_role("link", name="Does Young Victims Service work?").click()
    assert (
        "No evidence of an effect"
        in page.get_by_test_id("verdict-social_care_referral").inner_text()
    )
    assert_accessible(page)
