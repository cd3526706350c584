"""People who can sign in: administrators see everyone, team managers their own agency."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wraparound.core.access import role_required
from wraparound.core.models import Role
from wraparound.core.selectors import users_visible_to


@role_required(Role.ADMINISTRATOR, Role.TEAM_MANAGER)
def user_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/users.html", {"users": users_visible_to(request.user)})
