"""Home card: referrals waiting on this person (to decide, or information they were asked for)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from wraparound.core.access import may_open
from wraparound.core.home import HomeCard


def home_cards(user: Any) -> list[HomeCard]:
    from wraparound.referrals.selectors import tasks_for

    if not (may_open(user, "referrals:front-door") or may_open(user, "referrals:mine")):
        return []
    tasks = tasks_for(user)
    if not tasks and not may_open(user, "referrals:front-door"):
        return []
    to_decide = [t for t in tasks if t.kind in ("decide_referral", "overdue_referral")]
    asked = [t for t in tasks if t.kind == "answer_information_request"]
    overdue = sum(1 for t in tasks if t.overdue)
    cards = []
    if may_open(user, "referrals:front-door"):
        cards.append(
            HomeCard(
                title="Referrals waiting for a decision",
                count=len(to_decide),
                url=reverse("referrals:front-door"),
                link_text="Go to the front door",
                description=(f"{overdue} overdue. " if overdue else "")
                + "Referrals to your agency that nobody has accepted or declined yet.",
                needs_action=bool(to_decide),
            )
        )
    if asked and may_open(user, "referrals:mine"):
        cards.append(
            HomeCard(
                title="Information asked for about your referrals",
                count=len(asked),
                url=reverse("referrals:mine"),
                link_text="See your referrals",
                description="Agencies you referred to asked for more before deciding.",
                needs_action=True,
            )
        )
    return cards
