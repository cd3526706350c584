"""The home page: what this person can do today, by role."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wraparound.core.home import draw_chart, home_cards
from wraparound.core.navigation import navigation_for

ROLE_INTRODUCTIONS = {
    "practitioner": (
        "See the families you work with, what other agencies know about them under the "
        "partnership's sharing agreements, and what support is available."
    ),
    "team_manager": (
        "Oversee your team's families, allocations and the picture of need in your area."
    ),
    "data_analyst": (
        "Import agency extracts, review uncertain record matches and run the partnership's "
        "analysis."
    ),
    "ig_officer": (
        "Draft and approve information-sharing agreements, review break-glass access and "
        "search the audit trail."
    ),
    "administrator": "Manage the partnership's agencies and user accounts.",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    role = getattr(request.user, "role", None)
    sections = [entry for entry in navigation_for(role) if entry.url_name != "core:home"]
    found = home_cards(request.user)
    cards = [{"card": c, "chart": draw_chart(c.chart) if c.chart else None} for c in found]
    return render(
        request,
        "core/home.html",
        {
            "introduction": ROLE_INTRODUCTIONS.get(role or "", ""),
            "sections": sections,
            "cards": cards,
            "waiting": sum(1 for card in found if card.needs_action),
        },
    )


def start(request: HttpRequest) -> HttpResponse:
    """Public landing page: what the service is and a button to sign in."""
    return render(request, "core/start.html")


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (WCAG 2.2 AA) every public-sector service publishes."""
    return render(request, "core/accessibility.html")
