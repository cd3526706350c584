"""The family page fits a 320 px screen; family summaries, agreements, subject access responses
and reports print without the service's chrome."""

from __future__ import annotations

from typing import Any

import pytest

from wraparound.casework.tests.builders import early_help_may_see_police_not_health, known_family
from wraparound.core.tests.browser import assert_accessible, browser_page, sign_in  # noqa: F401
from wraparound.core.tests.factories import TEST_PASSWORD
from wraparound.sharing.tests import factories as sharing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROME = (".govuk-header", ".govuk-service-navigation", ".govuk-footer", ".wa-account-bar")


def _displayed(page: Any, selector: str) -> bool:
    return bool(
        page.evaluate(
            "(s) => [...document.querySelectorAll(s)].some("
            "e => getComputedStyle(e).display !== 'none')",
            selector,
        )
    )


def _family_on_a_caseload() -> str:
    family = known_family(extra_events=30)
    early_help_may_see_police_not_health(family)
    worker = sharing.worker(family.early_help, username="isla")
    sharing.relationship(worker, family.family_public_id)
    return family.family_public_id


def test_the_family_page_has_no_sideways_scrolling_on_a_320_px_screen(
    browser_page: Any,  # noqa: F811
) -> None:
    page = browser_page
    family = _family_on_a_caseload()
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, "isla", TEST_PASSWORD)
    page.goto(f"/families/{family}/")
    assert page.get_by_role("heading", level=1).inner_text() == f"Family {family}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert page.get_by_test_id("chronology").is_visible()
    assert_accessible(page)


def _prints_content_only(page: Any, urls: list[str]) -> None:
    for url in urls:
        page.goto(url)
        page.emulate_media(media="screen")
        assert all(_displayed(page, s) for s in (".govuk-header", ".govuk-footer"))
        page.emulate_media(media="print")
        shown = [s for s in CHROME if _displayed(page, s)]
        assert not shown, f"{url} prints {shown}"
        assert page.get_by_role("heading", level=1).is_visible()
        assert not _displayed(page, "form.wa-filter")
    page.emulate_media(media="screen")


def test_family_summaries_agreements_subject_access_responses_and_reports_print_clean(
    browser_page: Any,  # noqa: F811
) -> None:
    from django.urls import reverse

    from wraparound.core.models import Role
    from wraparound.sharing.models import SharingAgreement

    page = browser_page
    family = _family_on_a_caseload()
    agreement = SharingAgreement.objects.first()
    assert agreement is not None
    sign_in(page, "isla", TEST_PASSWORD)
    summary = reverse("casework:family-summary", kwargs={"family_public_id": family})
    _prints_content_only(
        page, [f"/families/{family}/", summary, f"/sharing/agreements/{agreement.pk}/"]
    )
    page.context.clear_cookies()
    officer = sharing.worker(agreement.parties.first().agency, role=Role.IG_OFFICER)
    response = _disclosed_response(officer)
    sign_in(page, officer.username, TEST_PASSWORD)
    _prints_content_only(
        page,
        [
            "/sharing/governance/subject-access/",
            response,  # the response as disclosed to the requester
            "/sharing/governance/reports/denied/",
            "/sharing/governance/reports/emergency-access/",
        ],
    )


def _disclosed_response(officer: Any) -> str:
    """A subject access response recorded as disclosed; its printable page's address."""
    from django.urls import reverse
    from django.utils import timezone

    from wraparound.matching.models import PersonRecordLink
    from wraparound.sharing import services

    person = PersonRecordLink.objects.select_related("person").first()
    assert person is not None
    made = services.open_subject_access_request(
        by=officer,
        person_public_id=person.person.public_id,
        requester="The person (themselves)",
        received_on=timezone.localdate(),
    )
    services.disclose_response(by=officer, request=made, item_refs=[])
    return reverse("sharing:subject-access-response", kwargs={"pk": made.pk})
