"""Work lists, handover, finding a family, and the printable family summary."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from wraparound.casework import forms, selectors, services
from wraparound.casework.case_views import (
    CASEWORKERS,
    answers,
    check_page,
    form_page,
    purpose_of,
    rid,
)
from wraparound.casework.summary import summary_as_data
from wraparound.casework.views import page_or_refuse
from wraparound.core.access import role_required
from wraparound.core.models import Role
from wraparound.sharing.models import AuditAction


@role_required(*CASEWORKERS)
def my_tasks(request: HttpRequest) -> HttpResponse:
    from wraparound.referrals.selectors import tasks_for as referral_tasks

    tasks = selectors.tasks_for(request.user, request_id=rid(request))
    return render(
        request,
        "casework/tasks.html",
        {"tasks": tasks, "referral_tasks": referral_tasks(request.user)},
    )


@role_required(Role.TEAM_MANAGER)
def caseload(request: HttpRequest) -> HttpResponse:
    loads = selectors.caseload(request.user, request_id=rid(request))
    return render(request, "casework/caseload.html", {"loads": loads})


@role_required(Role.TEAM_MANAGER)
def triage(request: HttpRequest) -> HttpResponse:
    """The triage queue a team manager allocates from (identities only under triage)."""
    from wraparound.casework.triage import triage_queue

    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    queue = triage_queue(user=request.user, page=page, request_id=rid(request) or None)
    return render(request, "casework/triage.html", {"queue": queue})


@role_required(Role.TEAM_MANAGER)
def handover(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = forms.HandoverForm(answers(request), agency_id=user.agency_id)

    def run(data: dict[str, Any]) -> str:
        moved = services.hand_over_caseload(
            by=user,
            leaving=data["leaving"],
            to=data["to"],
            deactivate=data["deactivate"],
            request_id=rid(request),
        )
        return (
            f"{moved} famil{'y' if moved == 1 else 'ies'} handed over from {data['leaving']} to "
            f"{data['to']}"
            + (f"; {data['leaving']}'s account is deactivated." if data["deactivate"] else ".")
        )

    def check(form: Any) -> Any:
        data = form.cleaned_data
        return check_page(
            request,
            form,
            title="Check before you hand over",
            button="Hand over",
            declaration=f"Every open family {data['leaving']} leads moves to {data['to']}, who "
            "is told which; their other team memberships end.",
            warning=f"{data['leaving']}'s account will be deactivated."
            if data["deactivate"]
            else "",
        )

    return form_page(
        request,
        family_public_id="",
        form=form,
        title="Hand over a worker's families",
        button="Continue",
        intro="Every open family the worker leads moves to the colleague you choose, in one "
        "step; their other team memberships end.",
        run=run,
        check=check,
        back=reverse("casework:caseload"),
    )


@role_required(*CASEWORKERS)
def search(request: HttpRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET or None)
    results = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        results = selectors.find_families(
            user=request.user,
            name=data["name"],
            dob=data["dob"],
            postcode=data["postcode"],
            family_id=data["family_id"],
            request_id=rid(request),
        )
    return render(
        request,
        "casework/search.html",
        {"form": form, "results": results},
        status=400 if request.GET and form.errors else 200,
    )


@role_required(*CASEWORKERS)
def family_summary(request: HttpRequest, family_public_id: str) -> HttpResponse:
    """Printable (HTML) or downloadable (JSON) summary: what the policy permits, audited as export."""
    page = page_or_refuse(request, family_public_id, purpose_of(request), action=AuditAction.EXPORT)
    if request.GET.get("format") == "json":
        response = HttpResponse(
            json.dumps(summary_as_data(page), indent=2), content_type="application/json"
        )
        response["Content-Disposition"] = f'attachment; filename="family-{family_public_id}.json"'
        return response
    return render(request, "casework/summary.html", {"page": page, "ws": page.workspace})
