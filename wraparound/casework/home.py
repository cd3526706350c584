"""Home cards for practitioners and team managers: their tasks and the families they work with."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from wraparound.core.access import may_open
from wraparound.core.home import HomeCard
from wraparound.core.models import Role
from wraparound.sharing.policy import visible_families

CASEWORK_PURPOSE = "early_help_coordination"


def home_cards(user: Any) -> list[HomeCard]:
    if user.role not in (Role.PRACTITIONER, Role.TEAM_MANAGER):
        return []
    cards = []
    if may_open(user, "casework:my-tasks"):
        from wraparound.casework.selectors import tasks_for

        tasks = tasks_for(user)
        overdue = sum(1 for t in tasks if t.overdue)
        cards.append(
            HomeCard(
                title="Your tasks",
                count=len(tasks),
                url=reverse("casework:my-tasks"),
                link_text="See your tasks",
                description=(f"{overdue} overdue. " if overdue else "")
                + "Plan actions you own, reviews due and assessments running late, for the "
                "coming week.",
                needs_action=bool(tasks),
            )
        )
    families = visible_families(user, CASEWORK_PURPOSE)
    cards.append(
        HomeCard(
            title="Families you work with",
            count=len(families),
            url=reverse("casework:my-families"),
            link_text="See your families",
            description="Families you have a working relationship with, or emergency access to.",
        )
    )
    return cards
