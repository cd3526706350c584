"""Small helpers the sharing views share."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest

from wraparound.core.models import Role, User

IG = Role.IG_OFFICER
CASEWORK = (Role.PRACTITIONER, Role.TEAM_MANAGER)
ALL = tuple(Role.values)


def request_id(request: HttpRequest) -> str:
    return str(getattr(request, "request_id", ""))


def signed_in(request: HttpRequest) -> User:
    """The signed-in user (views are wrapped in ``role_required``, so never anonymous)."""
    return cast(User, request.user)
