"""Casework in a real browser, as each person would do it, with axe checks on every page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from wraparound.casework import plan_services, services
from wraparound.casework.models import FamilyCase, TransferStatus
from wraparound.casework.tests.casework_builders import taf_agreement, team_around_family
from wraparound.core.tests.browser import assert_accessible, browser_page, sign_in  # noqa: F401
from wraparound.core.tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FAMILY = "/families/F-TEST0001/?purpose=early_help_coordination"


def test_a_plan_with_an_overdue_action_is_flagged_and_its_owner_updates_it(
    browser_page: Any,  # noqa: F811
) -> None:
    page = browser_page
    team = team_around_family()
    taf_agreement(team)
    plan_services.add_action(
        by=team.lead,
        case=team.case,
        outcome="health",
        description="Hana rebooks the missed health visit at home",
        owner=team.health_visitor,
        due_on=timezone.localdate() - dt.timedelta(days=4),
    )

    sign_in(page, "hana-hv", TEST_PASSWORD)
    page.goto(FAMILY)
    actions = page.get_by_test_id("plan-actions")
    assert "Overdue" in actions.inner_text()
    assert "1 overdue" in actions.inner_text()
    assert_accessible(page)
    actions.get_by_role("link", name="Update action").click()
    page.get_by_label("Status").select_option("done")
    page.get_by_label("Progress").fill("Seen at home on Tuesday")
    page.get_by_role("button", name="Save the update").click()

    assert "Action updated." in page.content()
    assert "Overdue" not in page.get_by_test_id("plan-actions").inner_text()
    assert_accessible(page)


def test_a_note_one_agency_may_read_and_another_may_not(browser_page: Any) -> None:  # noqa: F811
    page = browser_page
    team = team_around_family()
    taf_agreement(team)  # early help records shared with health; health data is not

    sign_in(page, "hana-hv", TEST_PASSWORD)
    page.goto(FAMILY)
    page.get_by_role("link", name="Add a note").click()
    page.get_by_label("Kind of information").select_option("health")
    page.get_by_label("Note", exact=True).fill("Weight below the 2nd centile; GP informed.")
    page.get_by_role("button", name="Add the note").click()
    page.get_by_role("link", name="Add a note").click()
    page.get_by_label("Kind of information").select_option("early_help")
    page.get_by_label("Note", exact=True).fill("Mum asked for help with the nursery application.")
    page.get_by_role("button", name="Add the note").click()
    assert page.get_by_test_id("note").count() == 2
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "lee-lead", TEST_PASSWORD)
    page.goto(FAMILY)
    notes = page.locator("#notes ~ [data-testid=note]")
    body = page.content()
    assert "Mum asked for help with the nursery application." in body
    assert "Weight below the 2nd centile" not in body
    assert "1 note withheld" in page.get_by_test_id("notes-withheld").inner_text()
    assert notes.count() == 1
    assert_accessible(page)


def test_a_step_up_waits_for_the_receiving_manager_who_accepts_it(
    browser_page: Any,  # noqa: F811
) -> None:
    page = browser_page
    team = team_around_family()

    sign_in(page, "lee-lead", TEST_PASSWORD)
    page.goto(FAMILY)
    page.get_by_role("link", name="Step up or down").click()
    page.get_by_label("Step up to statutory social care").check()
    page.get_by_label("Receiving agency").select_option(label="Children's Services")
    page.get_by_label("Why the family needs this").fill("Escalating domestic abuse at home.")
    page.get_by_role("button", name="Continue").click()
    assert "Check before you send the transfer" in page.content()  # check your answers
    assert "Children's Services" in page.get_by_test_id("check-answers").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Send the transfer").click()
    assert "You stay responsible until they accept" in page.content()
    assert "Lee Lead" in page.get_by_test_id("lead").inner_text()
    assert "waiting for the receiving team" in page.get_by_test_id("pending-transfer").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "sam-scm", TEST_PASSWORD)
    page.goto("/families/F-TEST0001/?purpose=safeguarding")
    page.get_by_role("link", name="View the transfer").click()
    assert "Escalating domestic abuse" in page.content()
    assert_accessible(page)
    page.get_by_role("radio", name="Accept").check()
    page.get_by_label("New lead (when accepting)").select_option(
        label=f"{team.social_worker} (Children's Services)"
    )
    page.get_by_role("button", name="Send the answer").click()

    assert "now leads the work with this family" in page.content()
    case = FamilyCase.objects.get(pk=team.case.pk)
    assert case.lead == team.social_worker
    assert case.transfers.get().status == TransferStatus.ACCEPTED


def test_a_manager_hands_over_a_leaving_workers_families(browser_page: Any) -> None:  # noqa: F811
    page = browser_page
    team = team_around_family()

    sign_in(page, "mo-manager", TEST_PASSWORD)
    page.goto("/families/caseload/")
    assert "F-TEST0001" in page.get_by_test_id("caseload").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Hand over a worker's families").click()
    page.get_by_label("Worker who is leaving").select_option(label="Lee Lead (Early Help)")
    page.get_by_label("Hand their families to").select_option(
        label=f"{team.colleague} (Early Help)"
    )
    page.get_by_label("Also deactivate the leaving worker's account").check()
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    assert "account will be deactivated" in page.content()  # check your answers first
    assert_accessible(page)
    page.get_by_role("button", name="Hand over").click()

    assert "1 family handed over from Lee Lead" in page.content()
    team.case.refresh_from_db()
    assert team.case.lead == team.colleague


def test_a_stale_edit_is_refused_showing_what_changed(browser_page: Any) -> None:  # noqa: F811
    page = browser_page
    team = team_around_family()

    sign_in(page, "mo-manager", TEST_PASSWORD)
    page.goto(FAMILY)
    page.get_by_role("link", name="Change the lead").click()
    # Meanwhile the lead hands the family to a colleague from their own screen.
    services.change_lead(
        by=team.lead, case=team.case, new_lead=team.colleague, expected_version=team.case.version
    )
    page.get_by_label("New lead practitioner").select_option(
        label="Hana Visitor (Community Health)"
    )
    page.get_by_role("button", name="Change the lead").click()

    refusal = page.get_by_test_id("stale-edit")
    assert "Your changes were not saved" in refusal.inner_text()
    assert "Lee Lead" in refusal.inner_text()
    assert str(team.colleague) in page.content()
    assert_accessible(page)
    assert FamilyCase.objects.get(pk=team.case.pk).lead == team.colleague
