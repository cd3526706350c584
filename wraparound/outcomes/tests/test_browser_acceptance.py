"""Issue 16's acceptance story in a real browser, axe (WCAG 2.2 AA) on every page on the way.

A practitioner records the closing review, seeing the statuses the data propose and the
records they read, ends support and makes the claim after checking it; a team manager checks
and validates it; the internal auditor draws the sample, opens the claim's evidence pack and
records the spot check after checking the answers; the manager submits the quarter through
"check your answers" and the quarterly return downloads as CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from wraparound.core.tests.browser import assert_accessible, browser_page, sign_in  # noqa: F401
from wraparound.core.tests.factories import TEST_PASSWORD
from wraparound.outcomes import services
from wraparound.outcomes.models import Claim, ClaimStatus
from wraparound.outcomes.tests.builders import POLICE_INCIDENTS, StoryFamily, story_family
from wraparound.sharing.tests import factories as sharing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MENU = "Menu"


def _practitioner_reaches_a_claim(page: Any, story: StoryFamily) -> Claim:
    baseline = services.fix_baseline(
        by=story.practitioner, family_public_id=story.family_public_id, engaged_on=story.engaged_on
    )
    # The late absence is the school's mistake, withdrawn: every need can now be met.
    story.records["school"].events.filter(
        kind="persistent_absence", event_date__gt=story.engaged_on
    ).delete()
    closing = story.engaged_on + dt.timedelta(days=185)
    sign_in(page, story.practitioner.username, TEST_PASSWORD)
    page.goto(f"/outcomes/baseline/{baseline.pk}/review/?on={closing.isoformat()}")
    assert_accessible(page)
    domestic = page.locator(f"#need-{baseline.baseline_needs.get(descriptor='domestic_abuse').pk}")
    assert "Proposed from data:" in domestic.inner_text()
    assert domestic.get_by_text("Hartshire Constabulary").count() == len(POLICE_INCIDENTS)
    for need in baseline.baseline_needs.all():
        page.locator(f"#status-{need.pk}-met").check()
        page.locator(f"#evidence-{need.pk}").fill("Closing TAF review: no recurrence reported.")
    page.get_by_role("button", name="Record review").click()
    # The click returns once the redirect has begun; wait (up to 5 s) for the page it lands on.
    expect(page.locator("body")).to_contain_text("Review recorded.")
    assert_accessible(page)
    page.locator(f"#ended_on-{baseline.pk}").fill(closing.isoformat())
    page.get_by_role("button", name="Record end of support").click()
    page.get_by_role("link", name="Make a claim").click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Check your answers before making the claim"
    )
    assert_accessible(page)
    assert not Claim.objects.exists()
    page.get_by_role("button", name="Make the claim").click()
    assert "its evidence pack is sealed" in page.content()
    return Claim.objects.get(baseline=baseline)


def _manager_validates(page: Any, story: StoryFamily, claim: Claim) -> None:
    page.context.clear_cookies()
    sign_in(page, story.manager.username, TEST_PASSWORD)
    page.goto("/outcomes/claims/")
    assert_accessible(page)
    page.get_by_role("link", name=f"Check and validate claim {claim.pk}").click()
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Check the claim before validating it"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Validate the claim").click()
    assert f"Claim {claim.pk} validated." in page.content()


def _auditor_checks(page: Any, story: StoryFamily, claim: Claim) -> None:
    page.context.clear_cookies()
    sign_in(page, story.auditor.username, TEST_PASSWORD)
    page.get_by_role("navigation", name=MENU).get_by_role("link", name="Internal audit").click()
    assert_accessible(page)
    page.get_by_role("button", name=f"Draw the sample for {claim.period}").click()
    page.get_by_role("link", name=f"Open sample claim {claim.pk}").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Internal audit spot check"
    claim.refresh_from_db()
    seal = page.get_by_test_id("seal").inner_text()
    assert claim.pack_hash in seal
    assert claim.audit_entry_hash in seal
    assert "Yes, pack unchanged" in seal
    pointer = claim.evidence_pack["needs"][0]["evidence"][0]
    row = page.get_by_role("row").filter(has_text=pointer["event_key"]).first
    assert pointer["event_date"] in row.inner_text()
    assert "Closing TAF review" in page.get_by_test_id("reviews").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()  # nothing answered
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("link").count() == len(services.AUDIT_QUESTIONS)
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    assert page.evaluate("() => document.activeElement.id") == "id_eligibility_0"
    for question in services.AUDIT_QUESTIONS:
        page.locator(f"#id_{question}_0").check()
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Check your answers before recording the spot check"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Record the spot check").click()
    assert "Spot check recorded." in page.content()
    assert_accessible(page)


def _manager_submits_and_downloads(page: Any, story: StoryFamily, claim: Claim) -> str:
    page.context.clear_cookies()
    sign_in(page, story.manager.username, TEST_PASSWORD)
    page.goto("/outcomes/claims/")
    page.get_by_role("link", name=f"Submit the {claim.period} return").click()
    page.get_by_role("button", name="Continue").click()
    heading = f"Check your answers before submitting the {claim.period} return"
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert_accessible(page)
    page.get_by_label("I confirm each claim was validated").check()
    page.get_by_role("button", name="Submit the return").click()
    assert f"1 claim(s) submitted in the {claim.period} return." in page.content()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Download the {claim.period} return (CSV)").click()
    return Path(download.value.path()).read_text(encoding="utf-8")


def test_a_review_reaches_a_claim_the_auditor_checks_and_the_return_downloads(
    browser_page: Any,  # noqa: F811
) -> None:
    page = browser_page
    story = story_family()
    sharing.agreement(
        parties=[story.early_help], shares=[], purposes=["outcomes_evaluation_aggregate"]
    )
    claim = _practitioner_reaches_a_claim(page, story)
    _manager_validates(page, story, claim)
    _auditor_checks(page, story, claim)
    body = _manager_submits_and_downloads(page, story, claim)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["status"] for r in rows] == [ClaimStatus.SUBMITTED]
    assert rows[0]["pack_sha256"] == claim.pack_hash
    assert story.family_public_id not in body
