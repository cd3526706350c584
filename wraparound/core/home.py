"""The home page's cards: what needs this person today, contributed by each app.

Each app that has something for a role to act on adds a ``home.py`` module with

    def home_cards(user) -> list[HomeCard]: ...

returning only the cards that user's role may follow (the link must open for them; the access
table decides). Cards are counts with a link and a sentence, optionally with one small chart;
``needs_action`` marks work waiting on this person (shown first). The home page collects
every installed app's cards in INSTALLED_APPS order; an app's failure is not hidden.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps


@dataclass(frozen=True)
class ChartBar:
    """One bar of a card's chart. ``value`` None draws no bar and says why (``note``)."""

    label: str
    value: int | None
    note: str = ""


@dataclass(frozen=True)
class HomeCard:
    """A count and where to act on it.

    ``count`` None means a card with no number (a headline sentence only).
    """

    title: str
    url: str
    link_text: str
    count: int | None = None
    description: str = ""
    needs_action: bool = False
    chart_title: str = ""
    chart: list[ChartBar] = field(default_factory=list)


def core_cards(user: Any) -> list[HomeCard]:
    """The core app's own cards: user accounts for those who manage them."""
    from django.urls import reverse

    from wraparound.core.models import Role, User

    if user.role not in (Role.ADMINISTRATOR, Role.TEAM_MANAGER):
        return []
    accounts = User.objects.filter(agency_id=user.agency_id, is_active=True).count()
    return [
        HomeCard(
            title="Active accounts in your agency",
            count=accounts,
            url=reverse("core:users"),
            link_text="See user accounts",
            description="People in your agency who can sign in, with their roles.",
        )
    ]


def home_cards(user: Any) -> list[HomeCard]:
    """Every app's cards for ``user``: work waiting on them first, then the rest, app order kept."""
    cards: list[HomeCard] = core_cards(user)
    for config in apps.get_app_configs():
        if config.name == "wraparound.core":
            continue
        try:
            module = importlib.import_module(f"{config.name}.home")
        except ModuleNotFoundError as error:
            if error.name == f"{config.name}.home":
                continue
            raise
        cards += module.home_cards(user)
    return sorted(cards, key=lambda card: not card.needs_action)


# --- a small horizontal bar chart, drawn as SVG by core/_home_chart.svg.html -------------------
CHART_LABEL_WIDTH = 150
CHART_PLOT_WIDTH = 170
CHART_BAR_HEIGHT = 16
CHART_GAP = 8


@dataclass(frozen=True)
class DrawnBar:
    label: str
    text: str
    y: int
    text_y: int
    width: int
    text_x: int


def draw_chart(bars: list[ChartBar]) -> dict[str, Any]:
    """Positions for a card's bars (no script, no inline style: the CSP forbids both)."""
    top = max((b.value or 0 for b in bars), default=0) or 1
    drawn = []
    for index, bar in enumerate(bars):
        y = index * (CHART_BAR_HEIGHT + CHART_GAP)
        width = 0 if bar.value is None else round(CHART_PLOT_WIDTH * bar.value / top)
        text = bar.note if bar.value is None else f"{bar.value:,}"
        drawn.append(
            DrawnBar(
                bar.label, text, y, y + CHART_BAR_HEIGHT - 3, width, CHART_LABEL_WIDTH + width + 4
            )
        )
    return {
        "bars": drawn,
        "label_width": CHART_LABEL_WIDTH,
        "width": CHART_LABEL_WIDTH + CHART_PLOT_WIDTH + 70,
        "height": max(1, len(bars)) * (CHART_BAR_HEIGHT + CHART_GAP),
    }
