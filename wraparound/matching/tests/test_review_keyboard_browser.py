"""An analyst decides pairs from the keyboard: S same, D different, N skip; off until turned on."""

from __future__ import annotations

from typing import Any

import pytest

from wraparound.core.models import Role
from wraparound.core.tests.browser import assert_accessible, browser_page, sign_in  # noqa: F401
from wraparound.core.tests.factories import TEST_PASSWORD, AgencyFactory, UserFactory
from wraparound.matching.models import PairDecision, ReviewPair

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_shortcuts_decide_and_skip_only_once_turned_on(browser_page: Any) -> None:  # noqa: F811
    page = browser_page
    AgencyFactory(slug="police", name="Hartshire Constabulary")
    UserFactory(username="dev", role=Role.DATA_ANALYST)
    first, second, third = (
        ReviewPair.objects.create(
            record_key_l=f"police:incidents:{n}a",
            record_key_r=f"police:incidents:{n}b",
            match_probability=score,
        )
        for n, score in ((1, 0.9), (2, 0.8), (3, 0.7))
    )
    sign_in(page, "dev", TEST_PASSWORD)
    page.goto(f"/matching/pairs/{first.pk}/")
    page.keyboard.press("s")
    assert not PairDecision.objects.exists(), "shortcuts are off until turned on"

    page.get_by_label("Use keyboard shortcuts").check()
    assert_accessible(page)
    page.keyboard.press("s")
    page.wait_for_url(f"**/matching/pairs/{second.pk}/")
    assert PairDecision.objects.get(record_key_l=first.record_key_l).verdict == "same"

    page.keyboard.press("n")
    page.wait_for_url(f"**/matching/pairs/{third.pk}/")
    assert not PairDecision.objects.filter(record_key_l=second.record_key_l).exists()

    page.get_by_label("Reason (optional)").fill("d")  # typing in a field is not a shortcut
    assert not PairDecision.objects.filter(record_key_l=third.record_key_l).exists()
    page.get_by_role("heading", level=1).click()  # focus leaves the field
    page.keyboard.press("d")
    page.wait_for_url(f"**/matching/pairs/{second.pk}/")  # the one still waiting
    assert PairDecision.objects.get(record_key_l=third.record_key_l).verdict == "different"
