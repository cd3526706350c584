"""In a real browser: a practitioner uses emergency access, the health IG officer reviews it.

Also checks the IG pages against WCAG 2.2 AA (axe) and the strict CSP.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from wraparound.core.models import AgencyKind, Role
from wraparound.core.tests.browser import assert_accessible, browser_page, sign_in  # noqa: F401
from wraparound.core.tests.factories import TEST_PASSWORD
from wraparound.sharing.models import BreakGlassGrant
from wraparound.sharing.tests.factories import agency, agreement, worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("WRAPAROUND_SCREENSHOTS", "")


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_emergency_access_is_requested_alerted_and_reviewed(browser_page: Any) -> None:  # noqa: F811
    page = browser_page
    police = agency(AgencyKind.POLICE, "hartshire-police", "Hartshire Constabulary")
    health = agency(AgencyKind.HEALTH, "community-health", "Hartshire Community Health")
    agreement(parties=[police, health], shares=[(health, "health")])
    worker(police, username="pc-patel")
    worker(health, role=Role.IG_OFFICER, username="ig-health")

    sign_in(page, "pc-patel", TEST_PASSWORD)
    page.get_by_role("link", name="Consent").first.click()
    page.get_by_role("link", name="Emergency access").click()
    assert_accessible(page)
    page.get_by_label("Family id").fill("F-BROWSER1")
    page.get_by_label("Why do you need this now?").fill(
        "Child missing overnight; need health contacts now."
    )
    page.get_by_label("Health").check()
    page.get_by_label("For how many hours?").fill("2")
    _shot(page, "break-glass-form")
    page.get_by_role("button", name="Continue").click()
    assert "Check your request" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)
    assert not BreakGlassGrant.objects.exists(), "nothing opens before the confirmation"
    page.get_by_role("button", name="Open emergency access").click()
    assert "Emergency access granted" in page.get_by_role("heading", level=1).inner_text()
    assert "Hartshire Community Health" in page.content()

    page.context.clear_cookies()
    sign_in(page, "ig-health", TEST_PASSWORD)
    page.get_by_role("link", name="Information governance").first.click()
    assert "used emergency access to family F-BROWSER1" in page.content()
    assert_accessible(page)
    _shot(page, "governance")
    page.get_by_role("link", name="Review this use").first.click()
    page.get_by_label("Justified").check()
    page.get_by_role("button", name="Record review").click()
    assert BreakGlassGrant.objects.get().review_outcome == "justified"
    page.get_by_role("link", name="Audit log").first.click()
    page.wait_for_url("**/governance/audit/")
    assert_accessible(page)
    _shot(page, "audit-log")
    assert "F-BROWSER1" in page.content()


def test_agreement_pages_are_accessible(browser_page: Any) -> None:  # noqa: F811
    page = browser_page
    police = agency(AgencyKind.POLICE, "hartshire-police", "Hartshire Constabulary")
    health = agency(AgencyKind.HEALTH, "community-health", "Hartshire Community Health")
    made = agreement(parties=[police, health], shares=[(health, "health"), (police, "police")])
    worker(police, role=Role.IG_OFFICER, username="ig-police")
    sign_in(page, "ig-police", TEST_PASSWORD)
    page.get_by_role("link", name="Sharing agreements").first.click()
    assert_accessible(page)
    page.get_by_role("link", name=made.reference).click()
    assert_accessible(page)
    _shot(page, "agreement")
    page.goto("/sharing/agreements/new/")
    assert_accessible(page)
    _shot(page, "agreement-form")


def test_an_ig_officer_drafts_an_agreement_through_the_task_list(browser_page: Any) -> None:  # noqa: F811
    from wraparound.sharing.models import SharingAgreement

    page = browser_page
    police = agency(AgencyKind.POLICE, "hartshire-police", "Hartshire Constabulary")
    agency(AgencyKind.HEALTH, "community-health", "Hartshire Community Health")
    worker(police, role=Role.IG_OFFICER, username="ig-police")
    sign_in(page, "ig-police", TEST_PASSWORD)
    page.goto("/sharing/agreements/new/")
    assert_accessible(page)
    _shot(page, "agreement-task-list")
    page.get_by_role("link", name="Reference, title and dates").click()
    page.get_by_role("button", name="Save and continue").click()
    summary = page.get_by_test_id("error-summary")
    assert "Enter the title" in summary.inner_text()
    assert_accessible(page)
    summary.get_by_role("link", name="Enter the title").click()
    assert page.evaluate("document.activeElement.id") == "id_title"
    page.get_by_label("Reference", exact=True).fill("DSA-777")
    page.get_by_label("Title", exact=True).fill("Missing children protocol")
    page.locator("#id_start_date_day").fill("1")
    page.locator("#id_start_date_month").fill("4")
    page.locator("#id_start_date_year").fill("2026")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Parties").click()
    page.get_by_label("Hartshire Constabulary").check()
    page.get_by_label("Hartshire Community Health").check()
    page.get_by_role("button", name="Save and continue").click()
    assert "Completed" in page.get_by_test_id("task-list").inner_text()
    page.get_by_role("link", name="Purposes and lawful basis").click()
    page.get_by_label("Purpose statement").fill("Find missing children quickly.")
    page.get_by_label("Safeguarding", exact=True).check()
    page.locator("#id_data_subjects_0").check()
    page.locator("input[name^='bases_'][value='ART6_1_E']").first.check()
    page.locator("input[name^='bases_'][value='ART6_1_E']").last.check()
    page.get_by_role("button", name="Save and continue").click()
    for task in ("Data categories", "Consent rules", "Small numbers in aggregate figures"):
        page.get_by_role("link", name=task).click()
        assert_accessible(page)
        page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Retention and review").click()
    page.get_by_label("Retention", exact=True).fill("Until the child is 25")
    page.get_by_role("button", name="Save and continue").click()
    assert "You have completed 7 of 7 tasks." in page.content()
    page.get_by_role("link", name="Check your answers and save the draft").click()
    assert_accessible(page)
    _shot(page, "agreement-check")
    assert "Hartshire Community Health, Hartshire Constabulary" in page.content()
    page.get_by_role("button", name="Save draft").click()
    made = SharingAgreement.objects.get(reference="DSA-777")
    page.get_by_role("link", name="Approve for Hartshire Constabulary").click()
    assert "before you approve it" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Approve for Hartshire Constabulary").click()
    assert made.parties.get(agency=police).approved_version == made.version
