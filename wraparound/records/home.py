"""Home cards for data analysts: uploads still to confirm, and what the partnership holds."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from wraparound.core.home import HomeCard
from wraparound.core.models import Role
from wraparound.records.selectors import current_extracts
from wraparound.records.staging import uploads_waiting


def home_cards(user: Any) -> list[HomeCard]:
    if user.role != Role.DATA_ANALYST:
        return []
    waiting = uploads_waiting(user_id=user.pk)
    extracts = current_extracts()
    return [
        HomeCard(
            title="Uploads waiting for you",
            count=len(waiting),
            url=reverse("records:confirm", kwargs={"token": waiting[0].token})
            if waiting
            else reverse("records:upload"),
            link_text="Confirm the oldest upload" if waiting else "Upload an extract",
            description="Files you uploaded whose column mapping you have not yet confirmed. "
            "Uploads are deleted after 24 hours.",
            needs_action=bool(waiting),
        ),
        HomeCard(
            title="Agency extracts in use",
            count=len(extracts),
            url=reverse("records:history"),
            link_text="See the import history",
            description="The latest extract of each agency dataset, used for matching and needs.",
        ),
    ]
