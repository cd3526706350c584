"""A referral from send to accept in a real browser, checked with axe on every page:
the early help worker sends it (checking answers first), the housing worker is notified,
finds it at the front door, reads it and accepts it, and the sender sees it accepted."""

from __future__ import annotations

from typing import Any

import pytest

from wraparound.core.tests.browser import assert_accessible, browser_page, sign_in  # noqa: F401
from wraparound.core.tests.factories import TEST_PASSWORD
from wraparound.referrals.models import Referral, State
from wraparound.referrals.tests.builders import FAMILY, partnership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/signed-out/")


def test_a_referral_from_send_to_accept(browser_page: Any) -> None:  # noqa: F811
    page = browser_page
    p = partnership()

    sign_in(page, "sender", TEST_PASSWORD)
    page.get_by_role("link", name="Referrals", exact=True).first.click()
    page.get_by_role("link", name="Send a referral").click()
    page.get_by_label("Family id").fill(FAMILY)
    page.get_by_label("Agency you are referring to").select_option(label="Hartshire Homes")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="There is a problem").wait_for()  # nothing else filled in
    assert_accessible(page)

    page.get_by_label("Secure housing").check()
    page.get_by_label("Why are you referring?").fill(
        "Rent arrears of three months and an eviction notice; mother is struggling."
    )
    page.get_by_label("Urgent: decide within 1 working day").check()
    page.get_by_label("The family agreed to this referral").check()
    page.get_by_label("Who agreed?").fill("Mother")
    page.get_by_label("By telephone").check()
    page.get_by_label("Early help", exact=True).check()
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()

    assert page.get_by_role("heading", level=1).inner_text() == (
        "Check your answers before sending the referral"
    )
    answers = page.get_by_test_id("check-answers").inner_text()
    assert "Hartshire Homes" in answers
    assert "Urgent" in answers
    assert_accessible(page)
    page.get_by_role("button", name="Send the referral").click()
    page.get_by_test_id("state").wait_for()  # the referral's page: the POST has finished
    reference = Referral.objects.get().reference
    assert page.get_by_role("heading", level=1).inner_text().startswith(f"Referral {reference}")
    assert page.get_by_test_id("state").inner_text() == "Sent, waiting for a decision"
    assert_accessible(page)
    _sign_out(page)

    sign_in(page, "receiver", TEST_PASSWORD)
    assert "1" in page.get_by_test_id("notifications-link").inner_text()
    page.get_by_test_id("notifications-link").click()
    assert_accessible(page)
    page.goto("/referrals/front-door/")
    assert_accessible(page)
    page.get_by_test_id("front-door").get_by_role("link", name=reference).click()
    assert "Rent arrears" in page.get_by_test_id("reason").inner_text()
    assert_accessible(page)
    page.get_by_label("Note for the referrer (optional)").fill("Tenancy sustainment will call")
    page.get_by_role("button", name="Accept", exact=True).click()
    page.get_by_text(f"Referral {reference} accepted: your agency").wait_for()
    assert page.get_by_test_id("state").inner_text() == "Accepted"
    assert_accessible(page)
    _sign_out(page)

    sign_in(page, "sender", TEST_PASSWORD)
    page.goto(f"/referrals/{reference}/")
    assert page.get_by_test_id("state").inner_text() == "Accepted"
    history = page.get_by_test_id("history").inner_text()
    assert "Referral accepted" in history
    assert Referral.objects.get().state == State.ACCEPTED
    assert p.receiver.notifications.count() == 1
