"""In a real browser: a practitioner's review shows the data's proposals; internal audit draws
and checks its sample and downloads the return; a manager checks the answers, then submits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from wraparound.core.tests.browser import assert_accessible, browser_page, sign_in  # noqa: F401
from wraparound.core.tests.factories import TEST_PASSWORD
from wraparound.outcomes import services
from wraparound.outcomes.tests.builders import POLICE_INCIDENTS, story_family, validated_claim
from wraparound.sharing.tests import factories as sharing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_practitioner_records_a_review_seeing_the_proposals_and_the_records_read(
    browser_page: Any,  # noqa: F811
) -> None:
    page = browser_page
    story = story_family()
    baseline = services.fix_baseline(
        by=story.practitioner, family_public_id=story.family_public_id, engaged_on=story.engaged_on
    )
    sign_in(page, story.practitioner.username, TEST_PASSWORD)
    page.goto(f"/outcomes/family/{story.family_public_id}/")
    assert_accessible(page)
    page.get_by_role("link", name="Record a progress review").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Record a progress review"
    domestic = page.locator(f"#need-{baseline.baseline_needs.get(descriptor='domestic_abuse').pk}")
    assert "Proposed from data: Met" in domestic.inner_text()
    assert domestic.get_by_text("Hartshire Constabulary").count() == len(POLICE_INCIDENTS)
    assert_accessible(page)
    page.get_by_role("button", name="Record review").click()
    assert "Say what evidence" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    for need in baseline.baseline_needs.all():
        page.locator(f"#evidence-{need.pk}").fill("Discussed at the TAF review.")
    page.get_by_role("button", name="Record review").click()
    # The click returns once the redirect has begun; wait (up to 5 s) for the page it lands on.
    expect(page.locator("body")).to_contain_text("Review recorded.")
    assert baseline.progress_reviews.count() == 1


def test_internal_auditor_draws_the_sample_opens_a_claim_and_its_evidence_pack(
    browser_page: Any,  # noqa: F811
) -> None:
    page = browser_page
    story = story_family()
    claim = validated_claim(story)
    sharing.agreement(
        parties=[story.early_help], shares=[], purposes=["outcomes_evaluation_aggregate"]
    )

    sign_in(page, story.auditor.username, TEST_PASSWORD)
    assert page.get_by_role("heading", name="Quarters with validated claims to sample").is_visible()
    assert_accessible(page)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Internal audit").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Internal audit of outcome claims"
    assert_accessible(page)
    page.get_by_role("button", name=f"Draw the sample for {claim.period}").click()
    assert f"1 claim(s) of {claim.period} drawn for internal audit." in page.content()
    assert_accessible(page)
    page.get_by_role("link", name=f"Open sample claim {claim.pk}").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Internal audit spot check"
    assert "pack unchanged" in page.content()
    for heading in ("1. Eligibility", "2. Whole-family working", "3. Claim evidence"):
        assert page.get_by_role("heading", name=heading).is_visible()
    pointer = claim.evidence_pack["needs"][0]["evidence"][0]["event_key"]
    assert page.get_by_text(pointer).is_visible()
    assert_accessible(page)
    for question in services.AUDIT_QUESTIONS:
        page.locator(f"#id_{question}_0").check()
    page.get_by_role("button", name="Continue").click()
    assert "Check your answers" in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Record the spot check").click()
    assert "Spot check recorded." in page.content()
    assert_accessible(page)
    services.submit_claims(by=story.manager, period=claim.period)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Internal audit").click()
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Download the {claim.period} return (CSV)").click()
    body = Path(download.value.path()).read_text(encoding="utf-8")
    assert claim.pack_hash in body
    assert story.family_public_id not in body


def test_team_manager_checks_the_answers_before_submitting_the_return(
    browser_page: Any,  # noqa: F811
) -> None:
    page = browser_page
    story = story_family()
    claim = validated_claim(story)
    [sampled] = services.sample_for_audit(by=story.auditor, period=claim.period)
    services.record_spot_check(
        by=story.auditor, claim=sampled, answers=dict.fromkeys(services.AUDIT_QUESTIONS, True)
    )

    sign_in(page, story.manager.username, TEST_PASSWORD)
    page.goto("/outcomes/claims/")
    page.get_by_role("link", name=f"Submit the {claim.period} return").click()
    assert_accessible(page)
    page.get_by_label("Note for the return (optional)").fill("Signed off by the head of service.")
    page.get_by_role("button", name="Continue").click()
    heading = f"Check your answers before submitting the {claim.period} return"
    assert page.get_by_role("heading", level=1).inner_text() == heading
    answers = page.get_by_test_id("check-answers")
    assert "Signed off by the head of service." in answers.inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Submit the return").click()
    assert "Tick to confirm" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("I confirm each claim was validated").check()
    page.get_by_role("button", name="Submit the return").click()
    assert f"1 claim(s) submitted in the {claim.period} return." in page.content()
    sampled.refresh_from_db()
    assert sampled.status == "submitted"
