"""The referrals JSON API: list, detail, create, transition. Session sign-in and CSRF.

Every refusal is a 4xx with a reason (``{"error": {"status", "message", "fields"}}``), never
a 500: bad JSON, unknown fields' values, a transition the state does not allow, someone
who may not act. A visitor who is not signed in is sent to sign in (302), like the pages.
The contract is ``openapi.json`` beside this file, served at ``api/referrals/openapi.json``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_http_methods

from wraparound.core.access import refuse_by_role
from wraparound.referrals import reading, selectors, services
from wraparound.referrals.models import Referral
from wraparound.referrals.rules import (
    REFERRING_ROLES,
    ReferralConflictError,
    ReferralDraft,
    ReferralError,
    ReferralInvalidError,
)

OPENAPI = Path(__file__).resolve().parent / "openapi.json"
DRAFT_FIELDS = {f for f in ReferralDraft.__dataclass_fields__ if f != "suggestion"}
View = Callable[..., HttpResponse]


def error(status: int, message: str, fields: dict[str, str] | None = None) -> JsonResponse:
    return JsonResponse(
        {"error": {"status": status, "message": message, "fields": fields or {}}}, status=status
    )


def api_view(view: View) -> View:
    """Signed in (else 302 to sign in), a casework role (else 403 JSON), domain errors as 4xx."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request.user, "role", None) not in REFERRING_ROLES:
            refuse_by_role(request)  # audited, like every refusal by role
            return error(403, "Only practitioners and team managers use the referrals API.")
        try:
            return view(request, *args, **kwargs)
        except ReferralInvalidError as invalid:
            return error(400, "The referral needs changing.", invalid.errors)
        except ReferralConflictError as conflict:
            return error(409, str(conflict))
        except ReferralError as refused:
            return error(403, str(refused))

    return wrapped


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError) as bad:
        raise ReferralInvalidError({"body": f"The body is not valid JSON: {bad}"}) from bad
    if not isinstance(data, dict):
        raise ReferralInvalidError({"body": "Send a JSON object."})
    return data


def _rid(request: HttpRequest) -> str:
    return str(getattr(request, "request_id", "") or "")


def summary(r: Referral) -> dict[str, Any]:
    """What any party may see in a list: the workflow, never the content."""
    return {
        "reference": r.reference,
        "state": r.state,
        "family_public_id": r.family_public_id,
        "from_agency": {"slug": r.from_agency.slug, "name": r.from_agency.name},
        "to_agency": {"slug": r.to_agency.slug, "name": r.to_agency.name},
        "to_service": {"id": str(r.to_service_id), "name": r.to_service_name}
        if r.to_service_id
        else None,
        "purpose": r.purpose,
        "needs": r.needs,
        "urgency": r.urgency,
        "sent_at": r.sent_at.isoformat() if r.sent_at else None,
        "due_at": r.due_at.isoformat() if r.due_at and r.is_open else None,
        "expires_at": r.expires_at.isoformat() if r.expires_at and r.is_open else None,
        "clock_stage": r.clock_stage,
        "overdue": r.overdue(),
    }


def detail(request: HttpRequest, r: Referral) -> dict[str, Any]:
    view = reading.read_referral(user=request.user, referral=r, request_id=_rid(request))
    content = (
        {
            "reason": r.reason,
            "children": r.children,
            "information_request": r.information_request,
            "information_response": r.information_response,
            "signpost": r.signpost,
            "no_consent_reason": r.no_consent_reason,
        }
        if view.content_permitted
        else None
    )
    return {
        **summary(r),
        "consent_basis": r.consent_basis,
        "no_consent_condition": r.no_consent_condition,
        "lawful_basis": r.lawful_basis,
        "shared_categories": r.shared_categories,
        "decided_at": r.decided_at.isoformat() if r.decided_at else None,
        "decline_reason": r.decline_reason,
        "end_reason": r.end_reason,
        "suggestion": r.suggestion or None,
        "content": content,
        "content_withheld": "" if view.content_permitted else view.withheld_reason,
        "actions": reading.actions_for(request.user, r),
        "history": [
            {"at": h.at.isoformat(), "event": h.label, "by": h.by, "note": h.note}
            for h in view.history
        ],
    }


@require_http_methods(["GET", "POST"])
@api_view
def referrals(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        data = _body(request)
        unknown = sorted(set(data) - DRAFT_FIELDS)
        if unknown:
            raise ReferralInvalidError(dict.fromkeys(unknown, "Not a referral field."))
        try:
            draft = ReferralDraft(**{k: data[k] for k in DRAFT_FIELDS if k in data})
        except TypeError as bad:
            raise ReferralInvalidError({"family_public_id": "Give the family's id."}) from bad
        _check_types(draft)
        created = services.send_referral(by=request.user, draft=draft, request_id=_rid(request))
        return JsonResponse(
            detail(request, reading.referral_or_404(str(created.reference))), status=201
        )
    box = request.GET.get("box", "received")
    if box not in ("received", "sent"):
        return error(400, "box is 'received' or 'sent'.", {"box": "Use received or sent."})
    if box == "sent":
        rows = selectors.sent_by_my_agency(user=request.user, request_id=_rid(request))
    else:
        queue = request.GET.get("queue", "to-decide")
        if queue not in selectors.QUEUES:
            return error(
                400, f"queue is one of {', '.join(selectors.QUEUES)}.", {"queue": "Unknown queue."}
            )
        rows = [
            q.referral
            for q in selectors.front_door_queue(
                user=request.user, queue=queue, request_id=_rid(request)
            )
        ]
    return JsonResponse({"referrals": [summary(r) for r in rows]})


def _check_types(draft: ReferralDraft) -> None:
    wrong = {}
    for name in (
        "family_public_id",
        "to_service_id",
        "purpose",
        "reason",
        "urgency",
        "consent_basis",
        "consent_given_by",
        "consent_method",
        "no_consent_condition",
        "no_consent_reason",
    ):
        if not isinstance(getattr(draft, name), str):
            wrong[name] = "Give text."
    for name in ("needs", "shared_categories", "children"):
        value = getattr(draft, name)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            wrong[name] = "Give a list of codes."
    if draft.to_agency_id is not None and (
        not isinstance(draft.to_agency_id, int) or isinstance(draft.to_agency_id, bool)
    ):
        wrong["to_agency_id"] = "Give the agency's id as a number."
    if not isinstance(draft.family_public_id, str) or not draft.family_public_id.strip():
        wrong["family_public_id"] = "Give the family's id."
    if wrong:
        raise ReferralInvalidError(wrong)


def _party_or_error(request: HttpRequest, reference: str) -> Referral | JsonResponse:
    r = (
        Referral.objects.select_related("from_agency", "to_agency", "sent_by")
        .filter(reference=reference)
        .exclude(state="draft")
        .first()
    )
    if r is None:
        return error(404, f"No referral {reference}.")
    if not services.may_view(request.user, r):
        reading.refuse_view(request.user, r, _rid(request))
        return error(
            403,
            f"Referral {reference} is between {r.from_agency.name} and {r.to_agency.name}: you are not a party to it.",
        )
    return r


@require_http_methods(["GET"])
@api_view
def referral(request: HttpRequest, reference: str) -> HttpResponse:
    found = _party_or_error(request, reference)
    if isinstance(found, JsonResponse):
        return found
    return JsonResponse(detail(request, found))


@require_http_methods(["POST"])
@api_view
def transition(request: HttpRequest, reference: str) -> HttpResponse:
    found = _party_or_error(request, reference)
    if isinstance(found, JsonResponse):
        return found
    data = _body(request)
    action = data.get("action")
    if action not in reading.DONE:
        return error(
            400, f"action is one of {', '.join(reading.DONE)}.", {"action": "Unknown action."}
        )
    if action not in reading.actions_for(request.user, found):
        allowed = ", ".join(reading.actions_for(request.user, found)) or "none"
        return error(
            409 if services.may_view(request.user, found) else 403,
            f"You cannot {action} referral {reference} while it is {found.get_state_display().lower()} (you may: {allowed}).",
        )
    text = {k: v for k, v in data.items() if isinstance(v, str)}
    reading.perform(action, by=request.user, referral=found, data=text, request_id=_rid(request))
    return JsonResponse(detail(request, reading.referral_or_404(reference)))


@require_http_methods(["GET"])
def openapi(request: HttpRequest) -> HttpResponse:
    """The API's contract (public: it holds no data)."""
    return HttpResponse(OPENAPI.read_text(encoding="utf-8"), content_type="application/json")
