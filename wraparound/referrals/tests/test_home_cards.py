"""The home page shows a receiving practitioner the referrals waiting for their agency's decision."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from wraparound.referrals import services
from wraparound.referrals.home import home_cards
from wraparound.referrals.tests.builders import draft, partnership

pytestmark = pytest.mark.django_db


def test_a_referral_sent_to_my_agency_is_a_card_to_act_on_linking_to_the_front_door() -> None:
    p = partnership()
    assert [c.count for c in home_cards(p.receiver)] == [0]
    services.send_referral(by=p.sender, draft=draft(p))
    (card,) = home_cards(p.receiver)
    assert (card.title, card.count, card.needs_action) == (
        "Referrals waiting for a decision",
        1,
        True,
    )
    assert card.url == reverse("referrals:front-door")
    client = Client()
    client.force_login(p.receiver)
    assert client.get(card.url).status_code == 200
    home = client.get(reverse("core:home")).content.decode()
    assert "Referrals waiting for a decision" in home
    assert "Nothing is waiting for you." not in home
