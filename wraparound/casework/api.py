"""JSON API for family plans: read a plan, add an action, update an action (its owner).

Thin: parse, call the same selectors and services as the pages, answer JSON. Reads go
through the sharing gate (one audited decision per response); every refusal is a 4xx with a
``reason`` a person can act on: 400 bad input, 403 refused (with why), 404 nothing you may
see, 409 a stale version (with what changed). Authentication is the signed-in session
(unauthenticated requests are sent to sign in, like every page); unsafe methods need the
CSRF token as any form does. The OpenAPI document is at ``openapi.json``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_http_methods

from wraparound.casework import plan_services
from wraparound.casework.concurrency import CaseworkError, StaleEditError
from wraparound.casework.models import ActionStatus, PlanAction
from wraparound.casework.openapi import OPENAPI
from wraparound.casework.views import INDIVIDUAL_PURPOSES
from wraparound.casework.workspace import (
    access_case,
    build_workspace,
    case_record,
    casework_items,
    latest_case,
)
from wraparound.core.access import refuse_by_role, user_has_role
from wraparound.core.models import Role, User
from wraparound.sharing import gate
from wraparound.sharing.gate import FamilyNotVisibleError
from wraparound.sharing.policy import PolicyError

PURPOSES = INDIVIDUAL_PURPOSES
ApiView = Callable[..., HttpResponse]


def problem(status: int, reason: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"status": status, "reason": reason, **extra}, status=status)


def caseworker_api(view: ApiView) -> ApiView:
    """Signed-in practitioners and team managers; anything else gets a JSON 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user_has_role(request.user, (Role.PRACTITIONER, Role.TEAM_MANAGER)):
            refuse_by_role(request)  # audited, as every refusal by role is
            return problem(403, "Only practitioners and team managers use the plans API.")
        try:
            return view(request, *args, **kwargs)
        except FamilyNotVisibleError as refusal:
            return problem(403, str(refusal))
        except StaleEditError as stale:
            changes = [c.__dict__ for c in stale.changes]
            return problem(409, str(stale), changes=changes)
        except (CaseworkError, PolicyError) as error:
            return problem(400, str(error))

    return wrapped


def _purpose(request: HttpRequest) -> str:
    purpose = request.GET.get("purpose", "early_help_coordination")
    if purpose not in PURPOSES:
        raise CaseworkError(f"purpose must be one of {', '.join(PURPOSES)}.")
    return purpose


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CaseworkError(f"The body is not valid JSON: {error}") from error
    if not isinstance(data, dict):
        raise CaseworkError("The body must be a JSON object.")
    return data


def _date(data: dict[str, Any], name: str, required: bool = True) -> dt.date | None:
    raw = data.get(name)
    if raw in (None, ""):
        if required:
            raise CaseworkError(f"{name} is required (YYYY-MM-DD).")
        return None
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError as error:
        raise CaseworkError(f"{name} must be a date like 2026-12-31, not {raw!r}.") from error


def _int(data: dict[str, Any], name: str) -> int:
    value = data.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise CaseworkError(f"{name} is required and must be a whole number.")
    return value


def action_json(action: PlanAction) -> dict[str, Any]:
    return {
        "id": action.pk,
        "need": action.outcome,
        "description": action.description,
        "owner": {"id": action.owner_id, "name": str(action.owner)},
        "owner_agency": action.owner_agency.name,
        "due_on": action.due_on.isoformat(),
        "status": action.status,
        "progress_note": action.progress_note,
        "version": action.version,
    }


def _read_plan(request: HttpRequest, family_public_id: str) -> dict[str, Any]:
    """The plan as the gate lets this user see it (one audited decision)."""
    user: Any = request.user  # signed in: checked by caseworker_api
    case = latest_case(family_public_id)
    items = casework_items(case)
    filtered = gate.read(
        user=user,
        family_public_id=family_public_id,
        purpose=_purpose(request),
        items=items,
        request_id=str(getattr(request, "request_id", "") or ""),
    )
    if not filtered.decision.has_need_to_know:
        raise FamilyNotVisibleError(filtered.decision.need_to_know_reason)
    visible = [i.payload for i in filtered.visible_items]
    ws = build_workspace(
        user=request.user,
        case=case,
        visible=visible,
        withheld=[i for i in items if i.payload not in visible],
    )
    plan = ws.plan
    return {
        "family": family_public_id,
        "case_status": ws.case.status if ws.case else None,
        "lead": str(ws.case.lead) if ws.case and ws.case.lead else None,
        "plan_withheld": ws.plan_withheld,
        "actions_withheld": ws.actions_withheld,
        "plan": None
        if plan is None
        else {
            "version": plan.plan.version,
            "complete": plan.complete,
            "needs_without_action": plan.needs_without_action,
            "next_review_on": plan.next_review_on.isoformat() if plan.next_review_on else None,
            "actions": [action_json(a) | {"overdue": a in plan.overdue} for a in plan.actions],
        },
    }


@require_http_methods(["GET", "POST"])
@caseworker_api
def plan(request: HttpRequest, family_public_id: str) -> HttpResponse:
    """GET the plan; POST a new action (``need``, ``description``, ``owner_id``, ``due_on``)."""
    if request.method == "GET":
        data = _read_plan(request, family_public_id)
        if data["case_status"] is None:
            return problem(404, f"Family {family_public_id} has no case, so no plan.")
        return JsonResponse(data)
    case = access_case(
        user=request.user, family_public_id=family_public_id, purpose=_purpose(request)
    )
    if case is None:
        return problem(404, f"Family {family_public_id} has no case: open one first.")
    body = _body(request)
    owner = User.objects.filter(pk=_int(body, "owner_id"), is_active=True).first()
    if owner is None:
        raise CaseworkError("owner_id names no active worker.")
    action = plan_services.add_action(
        by=request.user,
        case=case,
        outcome=str(body.get("need", "")),
        description=str(body.get("description", "")),
        owner=owner,
        due_on=_date(body, "due_on"),  # type: ignore[arg-type]
    )
    return JsonResponse(action_json(action), status=201)


@require_http_methods(["PATCH", "POST"])
@caseworker_api
def action(request: HttpRequest, family_public_id: str, action_id: int) -> HttpResponse:
    """Update an action: ``version`` (required), ``status``, ``progress_note``, ``due_on``."""
    case = access_case(
        user=request.user, family_public_id=family_public_id, purpose=_purpose(request)
    )
    if case is None:
        return problem(404, f"Family {family_public_id} has no case, so no plan.")
    try:
        found = case_record(case, PlanAction, action_id)
    except Http404:
        return problem(404, f"No action {action_id} in family {family_public_id}'s plan.")
    body = _body(request)
    status = str(body.get("status", found.status))
    if status not in ActionStatus.values:
        raise CaseworkError(f"status must be one of {', '.join(ActionStatus.values)}.")
    updated = plan_services.update_action(
        by=request.user,
        action=found,
        expected_version=_int(body, "version"),
        status=status,
        progress_note=str(body.get("progress_note", found.progress_note)),
        due_on=_date(body, "due_on", required=False),
    )
    # Only what changed: the caller may be an owner the agreements do not let read the plan.
    return JsonResponse(
        {
            "id": updated.pk,
            "status": updated.status,
            "version": updated.version,
            "progress_note": updated.progress_note,
            "due_on": updated.due_on.isoformat(),
        }
    )


def openapi(request: HttpRequest) -> HttpResponse:
    """The API's OpenAPI 3.1 document (public: it describes, it holds no data)."""
    return JsonResponse(OPENAPI)
