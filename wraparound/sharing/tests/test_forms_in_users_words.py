"""The agreement and emergency access forms follow the GOV.UK patterns: every error names its
field and links to it, lawful bases are checkboxes revealed per party, dates are day, month
and year boxes, and a draft (which permits nothing) offers no "Suspend"."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from wraparound.core.models import AgencyKind, Role
from wraparound.sharing.models import AgreementStatus
from wraparound.sharing.tests.factories import agency, agreement, worker

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _summary(html: str) -> dict[str, str]:
    block = re.search(r'data-testid="error-summary">(.*?)</ul>', html, re.S)
    assert block, "the page shows an error summary"
    return dict(re.findall(r'<a href="#([^"]+)">([^<]+)</a>', block[1]))


def _assert_named_and_linked(html: str) -> dict[str, str]:
    links = _summary(html)
    assert links
    assert "This field is required" not in html
    for target, message in links.items():
        assert f'id="{target}"' in html, f"{message!r} links to #{target}, not on the page"
    return links


def test_an_empty_agreement_draft_names_each_missing_answer() -> None:
    police, health = agency(AgencyKind.POLICE), agency(AgencyKind.HEALTH)
    officer = worker(police, Role.IG_OFFICER)
    page = _client(officer).post(reverse("sharing:agreement-new"), {"reference": ""})
    links = _assert_named_and_linked(page.content.decode())
    messages = set(links.values())
    assert {"Enter the reference", "Enter the title", "Enter the start date"} <= messages
    assert "Choose at least one: purposes" in messages
    assert "Tick at least two parties." in messages
    assert links["id_start_date_day"] == "Enter the start date"
    del health


def test_lawful_bases_are_checkboxes_revealed_by_ticking_the_party_and_dates_are_boxes() -> None:
    police, health = agency(AgencyKind.POLICE), agency(AgencyKind.HEALTH)
    html = _client(worker(police, Role.IG_OFFICER)).get(reverse("sharing:agreement-new"))
    text = html.content.decode()
    assert "<select multiple" not in text.replace('name="', "")
    assert "multiple" not in re.sub(r"<option[^>]*>", "", text).split("<footer")[0]
    assert "Ctrl or Cmd" not in text
    assert f'data-aria-controls="party-{health.pk}-details"' in text
    assert f'name="bases_{health.pk}" value="ART6_1_E"' in text
    assert 'type="date"' not in text
    for part in ("day", "month", "year"):
        assert f'name="start_date_{part}"' in text


def test_the_agreement_dates_are_read_from_the_day_month_and_year_boxes() -> None:
    police, health = agency(AgencyKind.POLICE), agency(AgencyKind.HEALTH)
    post = {
        "reference": "DSA-901", "title": "Missing children", "purpose_statement": "Find them.",
        "purposes": ["safeguarding"], "data_subjects": ["child"], "retention": "6 years",
        "start_date_day": "1", "start_date_month": "4", "start_date_year": "2026",
        "review_date_day": "31", "review_date_month": "2", "review_date_year": "2027",
        f"party_{police.pk}": "on", f"bases_{police.pk}": ["ART6_1_E"],
        f"party_{health.pk}": "on", f"bases_{health.pk}": ["ART6_1_E"],
    }  # fmt: skip
    page = _client(worker(police, Role.IG_OFFICER)).post(reverse("sharing:agreement-new"), post)
    links = _assert_named_and_linked(page.content.decode())
    assert list(links) == ["id_review_date_day"], "only the impossible 31 February is refused"


def test_an_empty_emergency_access_request_names_each_missing_answer() -> None:
    police = agency(AgencyKind.POLICE)
    page = _client(worker(police)).post(reverse("sharing:break-glass-new"), {"reason": ""})
    links = _assert_named_and_linked(page.content.decode())
    assert sorted(links.values()) == [
        "Choose the data you need",
        "Enter the family id",
        "Say for how many hours you need access, from 1 to 72",
        "Say why you need emergency access now",
    ]


def test_a_draft_offers_no_suspend_and_an_agreement_in_force_does() -> None:
    police, health = agency(AgencyKind.POLICE), agency(AgencyKind.HEALTH)
    officer = worker(police, Role.IG_OFFICER)
    draft = agreement(parties=[police, health], shares=[], status=AgreementStatus.DRAFT)
    in_force = agreement(parties=[police, health], shares=[])
    client = _client(officer)
    suspend = "/suspend/"
    assert suspend not in client.get(reverse("sharing:agreement", args=[draft.pk])).content.decode()
    assert suspend in client.get(reverse("sharing:agreement", args=[in_force.pk])).content.decode()
