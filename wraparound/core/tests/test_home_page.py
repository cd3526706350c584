"""The home page answers "what needs me today" for each role, with counts that link to the work."""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from wraparound.casework.selectors import tasks_for as casework_tasks
from wraparound.core import home
from wraparound.core.home import ChartBar, HomeCard, draw_chart
from wraparound.core.models import Role
from wraparound.core.tests.tour import load_tour_partnership, tour_user
from wraparound.matching.selectors import pending_pairs
from wraparound.referrals.selectors import tasks_for as referral_tasks
from wraparound.sharing.home import awaiting_approval_by
from wraparound.sharing.selectors import review_queue


def _cards(client: Client) -> dict[str, tuple[str, str]]:
    """Card title -> (count shown, link), read from the page as a person would."""
    html = client.get(reverse("core:home")).content.decode()
    cards = {}
    for block in re.findall(r'<li class="wa-home-card[^"]*" data-testid="home-card">(.*?)</li>',
                            html, re.S):  # fmt: skip
        title = re.sub(r"<[^>]+>|To do", "", re.search(r"<h3[^>]*>(.*?)</h3>", block, re.S)[1])
        count = re.search(r'data-testid="home-card-count">([^<]*)<', block)
        link = re.findall(r'<a class="govuk-link" href="([^"]+)"', block)[-1]
        cards[html_lib.unescape(title).strip()] = (count[1] if count else "", link)
    return cards


@pytest.fixture
def partnership(db: Any) -> dict[str, Any]:
    return load_tour_partnership()


def _client(role: str) -> tuple[Client, Any]:
    user = tour_user(role)
    client = Client()
    client.force_login(user)
    return client, user


@pytest.mark.slow
def test_each_role_sees_what_is_waiting_for_it_with_counts_and_links(partnership: Any) -> None:
    analyst, _ = _client(Role.DATA_ANALYST)
    cards = _cards(analyst)
    assert cards["Record pairs to review"] == (
        str(pending_pairs().count()),
        reverse("matching:queue"),
    )
    assert "Uploads waiting for you" in cards

    officer_client, officer = _client(Role.IG_OFFICER)
    cards = _cards(officer_client)
    assert cards["Agreements awaiting your agency's approval"][0] == str(
        len(awaiting_approval_by(officer))
    )
    assert cards["Emergency access to review"] == (
        str(review_queue(officer).count()),
        reverse("sharing:break-glass-queue"),
    )

    practitioner, worker = _client(Role.PRACTITIONER)
    cards = _cards(practitioner)
    # Tasks: plan actions owned, reviews due and assessments running late.
    assert cards["Your tasks"] == (str(len(casework_tasks(worker))), reverse("casework:my-tasks"))
    assert cards["Families you work with"][1] == reverse("casework:my-families")
    assert int(cards["Families you work with"][0]) > 0
    assert cards["Your families at risk and not supported"][1] == reverse("needs:at-risk")

    manager, boss = _client(Role.TEAM_MANAGER)
    deciding = [
        t for t in referral_tasks(boss) if t.kind in ("decide_referral", "overdue_referral")
    ]
    assert _cards(manager)["Referrals waiting for a decision"] == (
        str(len(deciding)),
        reverse("referrals:front-door"),
    )
    page = manager.get(reverse("core:home")).content.decode()
    assert "Families at risk and not supported" in page
    assert "<svg" in page
    assert "At risk, not supported, by locality" in page

    admin, _ = _client(Role.ADMINISTRATOR)
    assert _cards(admin)["Active accounts in your agency"][1] == reverse("core:users")


@pytest.mark.slow
def test_a_card_links_only_to_pages_its_role_may_open(partnership: Any) -> None:
    for role in Role.values:
        client, _ = _client(role)
        for title, (_, link) in _cards(client).items():
            assert client.get(link).status_code == 200, (role, title, link)


def test_apps_contribute_cards_and_work_waiting_comes_first(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    waiting = HomeCard("Waiting", "/w/", "Do it", count=2, needs_action=True)
    later = HomeCard("Later", "/l/", "See it", count=1)
    modules = {"wraparound.records.home": [later, waiting]}

    def fake_import(name: str) -> Any:
        if name in modules:
            return type("M", (), {"home_cards": staticmethod(lambda user: modules[name])})
        raise ModuleNotFoundError(name=name)

    monkeypatch.setattr(home.importlib, "import_module", fake_import)
    user = type("U", (), {"role": Role.PRACTITIONER, "agency_id": None})()
    assert home.home_cards(user) == [waiting, later]


def test_a_suppressed_bar_is_not_drawn_and_says_so() -> None:
    chart = draw_chart([ChartBar("Harbridge", 40), ChartBar("Ashby", None, "<5")])
    shown, hidden = chart["bars"]
    assert shown.width > 0
    assert shown.text == "40"
    assert hidden.width == 0
    assert hidden.text == "<5"
