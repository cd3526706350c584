"""Referral pages: send (with check your answers), detail with actions, the front door, mine.

Thin: parse with ``forms``, act with ``services``, read with ``selectors``/``reading``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wraparound.core import check_answers as cya
from wraparound.core.access import role_required
from wraparound.core.forms import check_answers as answers_of
from wraparound.core.models import Role
from wraparound.directory.models import Service
from wraparound.referrals import reading, selectors, services
from wraparound.referrals.forms import ACTION_FORMS, ReferralForm
from wraparound.referrals.rules import (
    ReferralConflictError,
    ReferralDraft,
    ReferralError,
    ReferralInvalidError,
    check_draft,
)
from wraparound.referrals.suggestions import family_fit, suggest
from wraparound.sharing.gate import FamilyNotVisibleError

CASEWORK = (Role.PRACTITIONER, Role.TEAM_MANAGER)
# Actions that cannot be undone, confirmed on a "Check your answers" page first.
CHECKED_ACTIONS = {
    "decline": (
        "Check before you decline the referral",
        "Decline the referral",
        "The sender is told your reason and where to send the family instead. The referral is "
        "final once declined, and your agency's access through it ends.",
    ),
    "withdraw": (
        "Check before you withdraw the referral",
        "Withdraw the referral",
        "The receiving agency is told, and its access through the referral ends at once. A "
        "withdrawn referral cannot be sent again: make a new one if it is needed later.",
    ),
}
DRAFT_KEY = "referral_draft"
OFFERED_KEY = "referral_suggestions"


def _rid(request: HttpRequest) -> str:
    return str(getattr(request, "request_id", "") or "")


def _suggestion_from_session(
    request: HttpRequest, family: str, rank: int | None, service_id: str
) -> dict[str, Any]:
    """The suggestion the user followed, as it was offered to them (not as the URL claims)."""
    offered = request.session.get(OFFERED_KEY, {}).get(family, [])
    chosen = next((s for s in offered if s["rank"] == rank and s["service_id"] == service_id), None)
    return {**chosen, "offered": [s["service_id"] for s in offered]} if chosen else {}


def _initial(request: HttpRequest, family: str, service: Any) -> dict[str, Any]:
    """The form's starting answers: the draft being changed (from check your answers), or
    the family and service the user came from."""
    raw = request.session.get(DRAFT_KEY) if request.GET.get("change") else None
    if raw and raw.get("family_public_id") == family:
        suggestion = raw.get("suggestion") or {}
        return {
            **{k: v for k, v in raw.items() if k in ReferralForm.base_fields},
            "to_agency": raw.get("to_agency_id"),
            "suggested": suggestion.get("rank"),
        }
    return {
        "family_public_id": family,
        "to_service_id": str(service.pk) if service else "",
        "suggested": request.GET.get("suggested") or None,
        "purpose": "early_help_coordination",
        "shared_categories": ["identity", "contact"],
    }


@role_required(*CASEWORK)
def new_referral(request: HttpRequest) -> HttpResponse:
    family = (request.POST.get("family_public_id") or request.GET.get("family", "")).strip().upper()
    service_id = request.POST.get("to_service_id") or request.GET.get("service", "")
    service_uuid = reading.uuid_or_none(service_id)
    service = (
        Service.objects.select_related("organization").filter(pk=service_uuid).first()
        if service_uuid
        else None
    )
    suggestions, refusal = [], ""
    if request.method == "POST":
        form = ReferralForm(request.POST, user=request.user)
        if form.is_valid():
            rank = form.cleaned_data.get("suggested")
            draft = form.draft(_suggestion_from_session(request, family, rank, service_id))
            try:
                check_draft(by=request.user, draft=draft)
            except ReferralInvalidError as invalid:
                for name, message in invalid.errors.items():
                    form.add_error(name if name in form.fields else None, message)
            except ReferralError as error:
                raise PermissionDenied(str(error)) from error
            else:
                request.session[DRAFT_KEY] = dataclasses.asdict(draft)
                return redirect("referrals:check")
    else:
        form = ReferralForm(user=request.user, initial=_initial(request, family, service))
        if family:
            try:
                fit = family_fit(
                    user=request.user,
                    family_public_id=family,
                    purpose="early_help_coordination",
                    request_id=_rid(request),
                )
            except FamilyNotVisibleError as error:
                refusal = str(error)
            else:
                suggestions = suggest(fit)
                form.initial.setdefault("needs", fit.needs)  # what the user sees it needs
            offered = request.session.get(OFFERED_KEY, {})
            offered[family] = [s.record([]) for s in suggestions]
            request.session[OFFERED_KEY] = dict(list(offered.items())[-5:])
    return render(
        request,
        "referrals/new.html",
        {
            "form": form,
            "service": service,
            "family": family,
            "suggestions": suggestions,
            "refusal": refusal,
        },
    )


@role_required(*CASEWORK)
def check_answers(request: HttpRequest) -> HttpResponse:
    raw = request.session.get(DRAFT_KEY)
    if not raw:
        messages.info(request, "Start the referral here: there is nothing to check yet.")
        return redirect("referrals:new")
    draft = ReferralDraft(**raw)
    try:
        checked = check_draft(by=request.user, draft=draft)
    except ReferralInvalidError as invalid:
        return render(
            request, "referrals/check.html", {"draft": draft, "errors": invalid.errors}, status=200
        )
    except ReferralError as error:
        raise PermissionDenied(str(error)) from error
    if request.method == "POST":
        try:
            referral = services.send_referral(
                by=request.user, draft=draft, request_id=_rid(request)
            )
        except ReferralInvalidError as invalid:
            return render(
                request,
                "referrals/check.html",
                {"draft": draft, "checked": checked, "errors": invalid.errors},
            )
        except ReferralError as error:
            raise PermissionDenied(str(error)) from error
        del request.session[DRAFT_KEY]
        messages.success(request, f"Referral {referral.reference} sent to {referral.receiver_name}")
        return redirect("referrals:detail", reference=referral.reference)
    return render(
        request,
        "referrals/check.html",
        {"draft": draft, "checked": checked, "summary": reading.summarise_draft(draft, checked)},
    )


@role_required(*CASEWORK)
def referral_detail(request: HttpRequest, reference: str) -> HttpResponse:
    referral = reading.referral_or_404(reference)
    return _render_detail(request, referral)


def _render_detail(
    request: HttpRequest, referral: Any, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    if not services.may_view(request.user, referral):
        reading.refuse_view(request.user, referral, _rid(request))
        raise PermissionDenied(
            f"Referral {referral.reference} is between {referral.from_agency.name} and "
            f"{referral.to_agency.name}: only their practitioners and team managers open it."
        )
    view = reading.read_referral(user=request.user, referral=referral, request_id=_rid(request))
    actions = reading.actions_for(request.user, referral)
    changing = request.GET.get("change", "")
    bound = {
        name: (forms or {}).get(name) or _action_form(request, referral, name, changing)
        for name in actions
    }
    return render(
        request,
        "referrals/detail.html",
        {"view": view, "r": referral, "actions": bound, "changing": changing},
        status=status,
    )


def _act_path(referral: Any, action: str) -> str:
    from django.urls import reverse

    return reverse("referrals:act", kwargs={"reference": referral.reference, "action": action})


def _action_form(request: HttpRequest, referral: Any, name: str, changing: str) -> Any:
    """An action's form: blank, or (a Change link from its check page) with the answers kept."""
    held = cya.held(request, _act_path(referral, name)) if name == changing else None
    return ACTION_FORMS[name](held) if held is not None else ACTION_FORMS[name]()


def _action_check(request: HttpRequest, referral: Any, action: str, form: Any) -> cya.CheckPage:
    from django.urls import reverse

    title, button, declaration = CHECKED_ACTIONS[action]
    detail = reverse("referrals:detail", kwargs={"reference": referral.reference})
    change = f"{detail}?change={action}"
    return cya.CheckPage(
        title=title,
        caption=f"Referral {referral.reference} to {referral.receiver_name}",
        sections=[cya.Section("", answers_of(form, change_url=change))],
        button=button,
        declaration_heading="Now confirm",
        declaration=declaration,
        warning_button=True,
        back_url=change,
    )


@require_POST
@role_required(*CASEWORK)
def act(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    referral = reading.referral_or_404(reference)
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404("No such referral action.")
    form = form_class(request.POST)
    if not services.may_view(request.user, referral):
        return _render_detail(request, referral)  # refuses (403) and audits
    if form.is_valid():
        if action in CHECKED_ACTIONS and not cya.is_confirmation(request):
            return cya.check_form(
                request, request.path, _action_check(request, referral, action, form)
            )
        try:
            reading.perform(
                action,
                by=request.user,
                referral=referral,
                data=form.cleaned_data,
                request_id=_rid(request),
            )
        except ReferralInvalidError as invalid:
            for name, message in invalid.errors.items():
                form.add_error(name if name in form.fields else None, message)
        except ReferralConflictError as conflict:
            # The referral moved on (or someone acted at the same moment): show it as it is now.
            messages.error(request, str(conflict))
            return redirect("referrals:detail", reference=referral.reference)
        except ReferralError as error:
            raise PermissionDenied(str(error)) from error
        else:
            cya.release(request, request.path)
            messages.success(request, reading.DONE[action].format(ref=referral.reference))
            return redirect("referrals:detail", reference=referral.reference)
    referral.refresh_from_db()
    return _render_detail(request, referral, {action: form}, status=400)


@role_required(*CASEWORK)
def front_door(request: HttpRequest) -> HttpResponse:
    queue = request.GET.get("queue", "to-decide")
    if queue not in selectors.QUEUES:
        queue = "to-decide"
    rows = selectors.front_door_queue(user=request.user, queue=queue, request_id=_rid(request))
    counts = selectors.queue_counts(user=request.user)
    return render(
        request,
        "referrals/front_door.html",
        {
            "rows": rows,
            "queue": queue,
            "queues": [
                (key, label, counts.get(key, 0)) for key, (label, _) in selectors.QUEUES.items()
            ],
        },
    )


@role_required(*CASEWORK)
def my_referrals(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "referrals/mine.html",
        {
            "tasks": selectors.tasks_for(request.user),
            "sent": selectors.sent_by_my_agency(user=request.user, request_id=_rid(request)),
        },
    )
