"""Home cards: internal audit's work (the sample to check, the quarters to sample)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from wraparound.core.home import HomeCard
from wraparound.core.models import Role
from wraparound.outcomes import selectors


def home_cards(user: Any) -> list[HomeCard]:
    if user.role != Role.AUDITOR:
        return []
    waiting, quarters = selectors.audit_counts()
    return [
        HomeCard(
            title="Sampled claims waiting for your spot check",
            count=waiting,
            url=reverse("outcomes:audit-home"),
            link_text="Open the internal-audit sample",
            description="Outcome claims drawn for internal audit and not yet checked against "
            "their evidence packs.",
            needs_action=waiting > 0,
        ),
        HomeCard(
            title="Quarters with validated claims to sample",
            count=quarters,
            url=reverse("outcomes:audit-home"),
            link_text="Draw a sample",
            description="Each quarter's validated claims wait for internal audit to draw its "
            "sample before the return is submitted.",
            needs_action=quarters > 0,
        ),
    ]
