"""The triage queue in a real browser, with axe on every page: a team manager sees who is
waiting only under the triage purpose, and allocates a lead from the queue."""

from __future__ import annotations

from typing import Any

import pytest

from wraparound.casework.models import FamilyCase
from wraparound.casework.tests.builders import known_family
from wraparound.casework.tests.triage_builders import on_triage_queue, triage_agreement
from wraparound.core.models import Role
from wraparound.core.tests.browser import assert_accessible, browser_page, sign_in  # noqa: F401
from wraparound.core.tests.factories import TEST_PASSWORD
from wraparound.sharing.tests import factories as sharing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_without_the_triage_purpose_sees_places_not_people(
    browser_page: Any,  # noqa: F811
) -> None:
    page = browser_page
    family = known_family()
    on_triage_queue(family)
    sharing.worker(family.early_help, role=Role.TEAM_MANAGER, username="tia-manager")

    sign_in(page, "tia-manager", TEST_PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Triage queue").click()

    assert "1 family waiting" in page.get_by_test_id("waiting-count").inner_text()
    assert "No approved agreement" in page.get_by_test_id("triage-refusal").inner_text()
    assert page.get_by_test_id("pseudonymous-queue").is_visible()
    assert "Booth" not in page.content()
    assert family.family_public_id not in page.content()
    assert_accessible(page)


def test_a_manager_allocates_a_lead_from_the_triage_queue(browser_page: Any) -> None:  # noqa: F811
    page = browser_page
    family = known_family()
    on_triage_queue(family)
    triage_agreement(family)
    sharing.worker(family.early_help, role=Role.TEAM_MANAGER, username="tia-manager")
    lead = sharing.worker(
        family.early_help, username="lou-lead", first_name="Lou", last_name="Lead"
    )

    sign_in(page, "tia-manager", TEST_PASSWORD)
    page.goto("/families/triage/")
    card = page.get_by_test_id("triage-family")
    assert "Kelly Booth" in card.inner_text()  # the police share identities for triage
    assert "further need not shown" in card.inner_text()  # health shares nothing for triage
    assert_accessible(page)
    card.get_by_role("link", name="Allocate a lead").click()
    page.get_by_label("Lead practitioner").select_option(label="Lou Lead (Early Help)")
    assert_accessible(page)
    page.get_by_role("button", name="Open the case").click()

    assert "Lou Lead is the lead practitioner" in page.content()
    assert FamilyCase.objects.get(family_public_id=family.family_public_id).lead == lead
    page.goto("/families/triage/")
    assert "0 families waiting" in page.get_by_test_id("waiting-count").inner_text()
    assert_accessible(page)
