"""The agreement and emergency access forms follow the GOV.UK patterns: every error names its
field and links to it, lawful bases are checkboxes revealed per party, dates are day, month
and year boxes, and a draft (which permits nothing) offers no "Suspend"."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from wraparound.core.models import AgencyKind, Role
from wraparound.core.tests.factories import signed_in
from wraparound.sharing.models import AgreementStatus
from wraparound.sharing.tests.factories import agency, agreement, worker

pytestmark = pytest.mark.django_db


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


def test_an_empty_agreement_draft_names_each_missing_answer_on_its_task_page() -> None:
    police, health = agency(AgencyKind.POLICE), agency(AgencyKind.HEALTH)
    client = signed_in(worker(police, Role.IG_OFFICER))
    new = reverse("sharing:agreement-new")
    links = _assert_named_and_linked(client.post(f"{new}details/", {}).content.decode())
    assert set(links.values()) == {"Enter the reference", "Enter the title", "Enter the start date"}
    assert links["id_start_date_day"] == "Enter the start date"
    links = _assert_named_and_linked(client.post(f"{new}parties/", {}).content.decode())
    assert set(links.values()) == {"Tick at least two parties."}
    client.post(f"{new}parties/", {f"party_{police.pk}": "on", f"party_{health.pk}": "on"})
    links = _assert_named_and_linked(client.post(f"{new}purposes/", {}).content.decode())
    assert {"Choose at least one: purposes", f"Choose a lawful basis for {health.name}."} <= set(
        links.values()
    )


def test_lawful_bases_are_checkboxes_for_each_chosen_party_and_dates_are_boxes() -> None:
    police, health = agency(AgencyKind.POLICE), agency(AgencyKind.HEALTH)
    client = signed_in(worker(police, Role.IG_OFFICER))
    new = reverse("sharing:agreement-new")
    client.post(f"{new}parties/", {f"party_{police.pk}": "on", f"party_{health.pk}": "on"})
    text = client.get(f"{new}purposes/").content.decode()
    assert "<select multiple" not in text.replace('name="', "")
    assert "multiple" not in re.sub(r"<option[^>]*>", "", text).split("<footer")[0]
    assert "Ctrl or Cmd" not in text
    assert f'name="bases_{health.pk}" value="ART6_1_E"' in text
    details = client.get(f"{new}details/").content.decode()
    assert 'type="date"' not in details
    for part in ("day", "month", "year"):
        assert f'name="start_date_{part}"' in details


def test_the_agreement_dates_are_read_from_the_day_month_and_year_boxes() -> None:
    police = agency(AgencyKind.POLICE)
    client = signed_in(worker(police, Role.IG_OFFICER))
    new = reverse("sharing:agreement-new")
    details = {"reference": "DSA-901", "title": "Missing children",
               "start_date_day": "1", "start_date_month": "4", "start_date_year": "2026"}  # fmt: skip
    assert client.post(f"{new}details/", details).status_code == 302
    retention = {"retention": "6 years", "review_date_day": "31", "review_date_month": "2",
                 "review_date_year": "2027"}  # fmt: skip
    links = _assert_named_and_linked(client.post(f"{new}retention/", retention).content.decode())
    assert list(links) == ["id_review_date_day"], "only the impossible 31 February is refused"


def test_an_empty_emergency_access_request_names_each_missing_answer() -> None:
    police = agency(AgencyKind.POLICE)
    page = signed_in(worker(police)).post(reverse("sharing:break-glass-new"), {"reason": ""})
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
    client = signed_in(officer)
    suspend = "/suspend/"
    assert suspend not in client.get(reverse("sharing:agreement", args=[draft.pk])).content.decode()
    assert suspend in client.get(reverse("sharing:agreement", args=[in_force.pk])).content.decode()
