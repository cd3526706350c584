"""The agreement editor is a GOV.UK task list: each task its own page with its own errors,
statuses that say what is left (Not started, In progress, Completed, Cannot start yet), then
"Check your answers" and save. Nothing reaches the database before the check page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from wraparound.core.models import AgencyKind, Role
from wraparound.core.tests.factories import signed_in
from wraparound.sharing.models import SharingAgreement
from wraparound.sharing.tests.factories import agency, worker
from wraparound.sharing.tests.test_pages import _agreement_post

pytestmark = pytest.mark.django_db
NEW = "/sharing/agreements/new/"


def _statuses(client: Client, url: str = NEW) -> dict[str, str]:
    html = client.get(url).content.decode()
    items = re.findall(
        r'task-list__name-and-hint">\s*(?:<a [^>]*>|<div>)([^<]+)<.*?task-list__status[^>]*>(.*?)</div>',
        html,
        re.S,
    )
    return {name.strip(): re.sub(r"<[^>]+>", "", status).strip() for name, status in items}


def test_a_new_agreement_starts_with_tasks_not_started_or_waiting_for_the_parties() -> None:
    client = signed_in(worker(agency(AgencyKind.POLICE), Role.IG_OFFICER))
    assert reverse("sharing:agreement-new") == NEW
    assert _statuses(client) == {
        "Reference, title and dates": "Not started",
        "Parties": "Not started",
        "Purposes and lawful basis": "Cannot start yet",
        "Data categories": "Cannot start yet",
        "Consent rules": "Not started",
        "Retention and review": "Not started",
        "Small numbers in aggregate figures": "Cannot start yet",
        "Check your answers and save the draft": "Cannot start yet",
    }
    waiting = client.get(f"{NEW}purposes/")
    assert waiting.status_code == 302, "a task that cannot start yet is not opened"


def test_statuses_follow_the_answers_and_the_check_page_opens_when_all_are_completed() -> None:
    police, health = agency(AgencyKind.POLICE), agency(AgencyKind.HEALTH)
    client = signed_in(worker(police, Role.IG_OFFICER))
    answers = _agreement_post(police, health)
    client.post(f"{NEW}parties/", answers)
    client.post(f"{NEW}purposes/", {"purpose_statement": "Half done"})
    statuses = _statuses(client)
    assert statuses["Parties"] == "Completed"
    assert statuses["Purposes and lawful basis"] == "In progress"
    assert statuses["Data categories"] == "Not started"
    assert client.get(f"{NEW}check/").status_code == 302, "not every task is completed"
    assert "Half done" in client.get(f"{NEW}purposes/").content.decode(), "answers are kept"
    for task in ("details", "purposes", "data", "consent", "retention", "suppression"):
        assert client.post(f"{NEW}{task}/", answers).status_code == 302
    assert set(_statuses(client).values()) == {"Completed", "Not started"}
    assert "You have completed 7 of 7 tasks." in client.get(NEW).content.decode()
    assert not SharingAgreement.objects.exists(), "nothing is saved before the check page"


def test_the_check_page_shows_every_answer_in_words_and_a_change_returns_to_it() -> None:
    police, health = agency(AgencyKind.POLICE), agency(AgencyKind.HEALTH)
    client = signed_in(worker(police, Role.IG_OFFICER))
    answers = _agreement_post(police, health)
    for task in ("details", "parties", "purposes", "data", "consent", "retention", "suppression"):
        client.post(f"{NEW}{task}/", answers)
    html = client.get(f"{NEW}check/").content.decode()
    assert f"{health.name}, {police.name}" in html, "the parties, by name"
    assert "Crime and Disorder Act 1998 section 115" in html, "lawful bases by their titles"
    assert "CDA1998_S115" not in html.split('name="csrfmiddlewaretoken"')[0]
    change = f"{NEW}retention/?return=check#id_retention"
    assert f'href="{change}"' in html
    changed = client.post(change.split("#")[0], answers | {"retention": "Seven years"})
    assert changed.url == f"{NEW}check/", "after a change, back to the check page"
    assert "Seven years" in client.get(f"{NEW}check/").content.decode()
    saved = client.post(f"{NEW}check/", {"confirm": "yes"})
    made = SharingAgreement.objects.get()
    assert saved.url == f"/sharing/agreements/{made.pk}/"
    assert made.retention == "Seven years"
    assert made.parties.count() == 2
    assert _statuses(client)["Parties"] == "Not started", "the working copy is cleared"


def test_editing_a_draft_starts_from_its_saved_answers_with_every_task_completed() -> None:
    from wraparound.sharing.tests.test_pages import _draft_through_tasks

    police, health = agency(AgencyKind.POLICE), agency(AgencyKind.HEALTH)
    client = signed_in(worker(police, Role.IG_OFFICER))
    _draft_through_tasks(client, _agreement_post(police, health))
    made = SharingAgreement.objects.get()
    edit = reverse("sharing:agreement-edit", args=[made.pk])
    assert set(_statuses(client, edit).values()) == {"Completed", "Not started"}
    details = client.get(f"{edit}details/").content.decode()
    assert "Missing children protocol" in details
    assert 'name="reference"' not in details, "a saved draft keeps its reference"
