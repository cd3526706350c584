"""Home card for data analysts: record pairs waiting for a same-person decision."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from wraparound.core.home import ChartBar, HomeCard
from wraparound.core.models import Role
from wraparound.matching.selectors import pending_pairs

# Score bands an analyst works through, most likely the same person first.
BANDS = (("0.9 and above", 0.9, 1.01), ("0.7 to 0.9", 0.7, 0.9), ("0.5 to 0.7", 0.5, 0.7),
         ("Below 0.5", 0.0, 0.5))  # fmt: skip


def home_cards(user: Any) -> list[HomeCard]:
    if user.role != Role.DATA_ANALYST:
        return []
    pairs = pending_pairs()
    total = pairs.count()
    chart = [
        ChartBar(name, pairs.filter(match_probability__gte=low, match_probability__lt=high).count())
        for name, low, high in BANDS
    ]
    return [
        HomeCard(
            title="Record pairs to review",
            count=total,
            url=reverse("matching:queue"),
            link_text="Review pairs",
            description="Pairs the matching model could not decide alone: say whether each is "
            "the same person.",
            needs_action=total > 0,
            chart_title="Pairs waiting, by match score",
            chart=chart if total else [],
        )
    ]
