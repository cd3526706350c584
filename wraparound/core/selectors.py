"""Reads of core data (staff accounts are not personal data of families)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from wraparound.core.models import Role, User


def users_visible_to(viewer: Any) -> QuerySet[User]:
    """Administrators manage the whole partnership; managers see their own agency's staff."""
    users = User.objects.select_related("agency").order_by("agency__name", "username")
    if viewer.role == Role.ADMINISTRATOR:
        return users
    return users.filter(agency_id=viewer.agency_id)
