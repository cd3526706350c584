"""In a real browser: a practitioner's review shows the data's proposals; an auditor's sample."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from wraparound.core.tests.browser import assert_accessible, browser_page, sign_in  # noqa: F401
from wraparound.core.tests.factories import TEST_PASSWORD
from wraparound.outcomes import services
from wraparound.outcomes.services import StatusEntry
from wraparound.outcomes.tests.builders import story_family

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
    assert domestic.get_by_text("Hartshire Constabulary").count() == 3
    assert_accessible(page)
    page.get_by_role("button", name="Record review").click()
    assert "Say what evidence" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    for need in baseline.baseline_needs.all():
        page.locator(f"#evidence-{need.pk}").fill("Discussed at the TAF review.")
    page.get_by_role("button", name="Record review").click()
    assert "Review recorded." in page.content()
    assert baseline.progress_reviews.count() == 1


def test_internal_auditor_opens_a_sampled_claim_and_its_evidence_pack(
    browser_page: Any,  # noqa: F811
) -> None:
    page = browser_page
    story = story_family()
    baseline = services.fix_baseline(
        by=story.practitioner, family_public_id=story.family_public_id, engaged_on=story.engaged_on
    )
    story.records["school"].events.filter(
        kind="persistent_absence", event_date__gt=story.engaged_on
    ).delete()
    closing = story.engaged_on + dt.timedelta(days=185)
    statuses = {n.pk: StatusEntry("met", "TAF review") for n in baseline.baseline_needs.all()}
    services.record_review(
        by=story.practitioner, baseline=baseline, reviewed_on=closing, statuses=statuses
    )
    services.end_support(by=story.practitioner, baseline=baseline, ended_on=closing)
    claim = services.make_claim(by=story.practitioner, baseline=baseline)
    services.validate_claim(by=story.manager, claim=claim)
    services.sample_for_audit(by=story.manager, period=claim.period)

    sign_in(page, story.auditor.username, TEST_PASSWORD)
    page.goto("/outcomes/claims/")
    page.get_by_role("link", name=f"Open sample claim {claim.pk}").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Internal audit spot check"
    assert "pack unchanged" in page.content()
    for heading in ("1. Eligibility", "2. Whole-family working", "3. Claim evidence"):
        assert page.get_by_role("heading", name=heading).is_visible()
    pointer = claim.evidence_pack["needs"][0]["evidence"][0]["event_key"]
    assert page.get_by_text(pointer).is_visible()
    assert_accessible(page)
    for question in services.AUDIT_QUESTIONS:
        page.locator(f"#{question}-yes").check()
    page.get_by_role("button", name="Record spot check").click()
    assert "Spot check recorded." in page.content()
    assert_accessible(page)
