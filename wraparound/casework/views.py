"""Family pages for practitioners and their managers: thin views over `family_page`."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wraparound.casework.family_page import (
    ChronologyFilter,
    FamilyNotVisibleError,
    build_family_page,
)
from wraparound.core.access import role_required
from wraparound.core.models import Role
from wraparound.sharing import gate
from wraparound.sharing.catalogues import catalogues
from wraparound.sharing.views.common import signed_in

INDIVIDUAL_PURPOSES = ("early_help_coordination", "safeguarding", "case_management")
DEFAULT_PURPOSE = "early_help_coordination"


def _purpose(request: HttpRequest) -> str:
    purpose = request.GET.get("purpose", DEFAULT_PURPOSE)
    return purpose if purpose in INDIVIDUAL_PURPOSES else DEFAULT_PURPOSE


def _purpose_choices() -> list[tuple[str, str]]:
    known = catalogues().purposes
    return [(code, known[code].label) for code in INDIVIDUAL_PURPOSES if code in known]


@role_required(Role.PRACTITIONER, Role.TEAM_MANAGER)
def my_families(request: HttpRequest) -> HttpResponse:
    purpose = _purpose(request)
    families = sorted(
        gate.list_families(
            user=signed_in(request),
            purpose=purpose,
            request_id=getattr(request, "request_id", None),
        )
    )
    return render(
        request,
        "casework/my_families.html",
        {"families": families, "purpose": purpose, "purposes": _purpose_choices()},
    )


def _since(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@role_required(Role.PRACTITIONER, Role.TEAM_MANAGER)
def family_detail(request: HttpRequest, family_public_id: str) -> HttpResponse:
    purpose = _purpose(request)
    chosen = ChronologyFilter(
        agency=request.GET.get("agency", ""),
        category=request.GET.get("category", ""),
        since=_since(request.GET.get("since", "")),
    )
    try:
        page = build_family_page(
            user=request.user,
            family_public_id=family_public_id,
            purpose=purpose,
            request_id=getattr(request, "request_id", None),
            chronology_filter=chosen,
        )
    except FamilyNotVisibleError as refusal:
        raise PermissionDenied(
            f"You cannot open family {family_public_id}: {refusal} "
            "If you need to see this family to protect a child, you can request emergency "
            "(break-glass) access with a reason; it will be reviewed."
        ) from refusal
    return render(
        request,
        "casework/family.html",
        {
            "page": page,
            "filter": chosen,
            "since_raw": request.GET.get("since", ""),
            "since_invalid": bool(request.GET.get("since")) and chosen.since is None,
            "purposes": _purpose_choices(),
        },
    )
