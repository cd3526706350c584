"""The unread count in the account bar, on every page for a signed-in person."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from wraparound.notifications.services import unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notification_count": unread_count(user)}
