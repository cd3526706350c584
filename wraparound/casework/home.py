"""Home card for practitioners and team managers: the families they work with.

The casework and referrals capabilities add their own task cards here as they land.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from wraparound.core.home import HomeCard
from wraparound.core.models import Role
from wraparound.sharing.policy import visible_families

CASEWORK_PURPOSE = "early_help_coordination"


def home_cards(user: Any) -> list[HomeCard]:
    if user.role not in (Role.PRACTITIONER, Role.TEAM_MANAGER):
        return []
    families = visible_families(user, CASEWORK_PURPOSE)
    return [
        HomeCard(
            title="Families you work with",
            count=len(families),
            url=reverse("casework:my-families"),
            link_text="See your families",
            description="Families you have a working relationship with, or emergency access to.",
        )
    ]
