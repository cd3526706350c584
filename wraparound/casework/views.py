"""Family pages for practitioners and their managers: thin views over `family_page`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wraparound.casework.family_page import (
    ChronologyFilter,
    FamilyNotVisibleError,
    FamilyPage,
    build_family_page,
)
from wraparound.core.access import role_required
from wraparound.core.models import Role
from wraparound.sharing import gate
from wraparound.sharing.catalogues import catalogues
from wraparound.sharing.views.common import signed_in

INDIVIDUAL_PURPOSES = ("early_help_coordination", "safeguarding", "case_management")
DEFAULT_PURPOSE = "early_help_coordination"


NEXT_STEPS = (
    "To work with this family, ask the agency that knows them for a referral to yours; if you "
    "need to see it to protect a child, request emergency access (break-glass) with a reason "
    "(it is reviewed)."
)


def refusal(family_public_id: str, reason: object) -> PermissionDenied:
    """The one refusal of every casework page about a family: the policy's reason (already
    audited by the gate) and the routes in."""
    return PermissionDenied(f"You cannot open family {family_public_id}: {reason} {NEXT_STEPS}")


def page_or_refuse(
    request: HttpRequest, family_public_id: str, purpose: str, **options: Any
) -> FamilyPage:
    """The family page as the policy lets this person see it, or the refusal (403)."""
    try:
        return build_family_page(
            user=request.user,
            family_public_id=family_public_id,
            purpose=purpose,
            request_id=getattr(request, "request_id", None),
            **options,
        )
    except FamilyNotVisibleError as refused:
        raise refusal(family_public_id, refused) from refused


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
    page = page_or_refuse(request, family_public_id, purpose, chronology_filter=chosen)
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
