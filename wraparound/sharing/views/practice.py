"""Practitioners' pages: record consent, request emergency (break-glass) access."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from wraparound.core.access import role_required
from wraparound.sharing import selectors, services
from wraparound.sharing.forms import BreakGlassForm, ConsentForm
from wraparound.sharing.views.common import CASEWORK, IG, request_id, signed_in


@role_required(*CASEWORK, IG)
def consent_list(request: HttpRequest) -> HttpResponse:
    family = request.GET.get("family", "").strip()
    records = selectors.consents_visible_to(signed_in(request), family, request_id(request))[:200]
    return render(request, "sharing/consent_list.html", {"records": records, "family": family})


@role_required(*CASEWORK, IG)
def consent_create(request: HttpRequest) -> HttpResponse:
    form = ConsentForm(
        request.POST or None, initial={"family_public_id": request.GET.get("family", "")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.record_consent(
                by=signed_in(request),
                family_public_id=data["family_public_id"],
                person_public_id=data["person_public_id"],
                decision=data["decision"],
                agreement=data["agreement"],
                categories=data["categories"],
                purposes=data["purposes"],
                no_consent_condition=data["no_consent_condition"],
                given_by=data["given_by"],
                method=data["method"],
                notes=data["notes"],
                request_id=request_id(request),
            )
        except services.SharingError as error:
            form.add_error(None, ValidationError(str(error)))
        else:
            messages.success(
                request, f"{record.get_decision_display()} recorded; it takes effect now."
            )
            return redirect(reverse("sharing:consents") + f"?family={record.family_public_id}")
    return render(request, "sharing/consent_form.html", {"form": form})


@role_required(*CASEWORK)
def break_glass_create(request: HttpRequest) -> HttpResponse:
    form = BreakGlassForm(
        request.POST or None, initial={"family_public_id": request.GET.get("family", "")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant = services.request_break_glass(
                user=signed_in(request),
                family_public_id=data["family_public_id"],
                reason=data["reason"],
                categories=data["categories"],
                hours=data["hours"],
                request_id=request_id(request),
            )
        except services.SharingError as error:
            form.add_error(None, ValidationError(str(error)))
        else:
            return render(request, "sharing/break_glass_granted.html", {"grant": grant})
    return render(request, "sharing/break_glass_form.html", {"form": form})
