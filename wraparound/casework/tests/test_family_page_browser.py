"""A practitioner opens an allocated family in a real browser and cannot open another."""

from __future__ import annotations

from typing import Any

import pytest

from wraparound.casework.tests.builders import early_help_may_see_police_not_health, known_family
from wraparound.core.tests.browser import assert_accessible, browser_page, sign_in  # noqa: F401
from wraparound.core.tests.factories import TEST_PASSWORD
from wraparound.sharing.tests import factories as sharing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_practitioner_sees_chronology_and_needs_of_an_allocated_family_only(
    browser_page: Any,  # noqa: F811
) -> None:
    page = browser_page
    family = known_family()
    early_help_may_see_police_not_health(family)
    _needs_run_with_a_police_flag(family.family_public_id, family.mother_key)
    worker = sharing.worker(family.early_help, username="isla")
    sharing.relationship(worker, family.family_public_id)
    known_family_without_relationship = "F-OTHER001"

    sign_in(page, "isla", TEST_PASSWORD)
    page.get_by_role("link", name="My families").first.click()
    page.get_by_role("link", name=f"Family {family.family_public_id}").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Family F-TEST0001"
    chronology = page.get_by_test_id("chronology")
    assert chronology.get_by_text("Domestic abuse incident").count() == 3
    assert "Hartshire Constabulary" in chronology.inner_text()
    needs = page.get_by_test_id("needs")
    assert "Safe from domestic abuse" in needs.inner_text()
    needs.get_by_text("Evidence: 3 events").click()
    assert needs.get_by_text("Domestic abuse incident (Hartshire Constabulary)").first.is_visible()
    assert "Health data from Community Health" in page.get_by_test_id("withheld").inner_text()
    assert_accessible(page)

    page.goto(f"/families/{known_family_without_relationship}/")
    assert (
        page.get_by_role("heading", level=1).inner_text() == "You do not have access to this page"
    )
    assert "You cannot open family F-OTHER001" in page.get_by_test_id("denial-reason").inner_text()
    assert_accessible(page)


def _needs_run_with_a_police_flag(family_public_id: str, record_key: str) -> None:
    from django.utils import timezone

    from wraparound.needs.models import NeedFlag, NeedsRun, RunStatus
    from wraparound.records.models import SourceEvent

    run = NeedsRun.objects.create(
        reference_date=timezone.localdate(),
        status=RunStatus.COMPLETE,
        finished_at=timezone.now(),
        catalogue_checksum="test",
    )
    events = SourceEvent.objects.filter(record__record_key=record_key)
    NeedFlag.objects.create(
        run=run,
        family_public_id=family_public_id,
        outcome="domestic_abuse",
        indicator_key="domestic_abuse_incident",
        level=3,
        event_count=events.count(),
        first_evidence_date=min(e.event_date for e in events),
        last_evidence_date=max(e.event_date for e in events),
        agencies=["hartshire-police"],
        evidence=[
            {
                "event_key": e.event_key,
                "agency_slug": "hartshire-police",
                "kind": e.kind,
                "event_date": e.event_date.isoformat(),
            }
            for e in events
        ],
    )
