"""Practitioners' pages: record consent, request emergency (break-glass) access."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from wraparound.core import check_answers as cya
from wraparound.core.access import role_required
from wraparound.core.forms import check_answers
from wraparound.sharing import selectors, services
from wraparound.sharing.forms import BreakGlassForm, ConsentForm
from wraparound.sharing.models import ConsentRecord
from wraparound.sharing.views.common import CASEWORK, IG, request_id, signed_in


@role_required(*CASEWORK, IG)
def consent_list(request: HttpRequest) -> HttpResponse:
    family = request.GET.get("family", "").strip()
    records = selectors.consents_visible_to(signed_in(request), family, request_id(request))[:200]
    return render(request, "sharing/consent_list.html", {"records": records, "family": family})


CONSENT_KEY = "consent"
BREAK_GLASS_KEY = "break-glass"
CONSENT_EFFECT = {
    "withdrawn": "Sharing that relied on this consent stops as soon as you record it. "
    "A withdrawal cannot be undone: if the family consents again, record a new decision.",
    "refused": "Sharing that needs consent will not happen for what this decision covers.",
}


@role_required(*CASEWORK, IG)
def consent_create(request: HttpRequest) -> HttpResponse:
    """Record a decision: the form, then "Check your answers", then it is recorded for good."""
    data = cya.form_data(request, CONSENT_KEY)
    form = ConsentForm(data, initial={"family_public_id": request.GET.get("family", "")})
    if request.method == "POST" and form.is_valid():
        if not cya.is_confirmation(request):
            return cya.check_form(request, CONSENT_KEY, _consent_check(request, form))
        record = _record_consent(request, form)
        if record is not None:
            cya.release(request, CONSENT_KEY)
            messages.success(
                request, f"{record.get_decision_display()} recorded; it takes effect now."
            )
            return redirect(reverse("sharing:consents") + f"?family={record.family_public_id}")
    return render(request, "sharing/consent_form.html", {"form": form})


def _consent_check(request: HttpRequest, form: ConsentForm) -> cya.CheckPage:
    decision = form.cleaned_data["decision"]
    return cya.CheckPage(
        title="Check the consent decision before you record it",
        sections=[cya.Section("", check_answers(form, change_url=cya.change_url(request.path)))],
        button="Record decision",
        declaration_heading="Now record the decision",
        declaration="The decision is recorded against the family with your name and the time, "
        "and the policy applies it to every read from now on.",
        warning=CONSENT_EFFECT.get(decision, ""),
        warning_button=decision == "withdrawn",
        back_url=cya.change_url(request.path),
        base_template="sharing/base.html",
    )


def _record_consent(request: HttpRequest, form: ConsentForm) -> ConsentRecord | None:
    data = form.cleaned_data
    try:
        return services.record_consent(
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
        return None


@role_required(*CASEWORK)
def break_glass_create(request: HttpRequest) -> HttpResponse:
    """Emergency access: the form, then "Check your answers", then access opens (and the IG
    officers of the agencies whose data it opens are alerted)."""
    data = cya.form_data(request, BREAK_GLASS_KEY)
    form = BreakGlassForm(data, initial={"family_public_id": request.GET.get("family", "")})
    if request.method == "POST" and form.is_valid():
        if not cya.is_confirmation(request):
            return cya.check_form(request, BREAK_GLASS_KEY, _break_glass_check(request, form))
        cleaned = form.cleaned_data
        try:
            grant = services.request_break_glass(
                user=signed_in(request),
                family_public_id=cleaned["family_public_id"],
                reason=cleaned["reason"],
                categories=cleaned["categories"],
                hours=cleaned["hours"],
                request_id=request_id(request),
            )
        except services.SharingError as error:
            form.add_error(None, ValidationError(str(error)))
        else:
            cya.release(request, BREAK_GLASS_KEY)
            return render(request, "sharing/break_glass_granted.html", {"grant": grant})
    return render(request, "sharing/break_glass_form.html", {"form": form})


def _break_glass_check(request: HttpRequest, form: BreakGlassForm) -> cya.CheckPage:
    return cya.CheckPage(
        title="Check your request before you open emergency access",
        sections=[cya.Section("", check_answers(form, change_url=cya.change_url(request.path)))],
        button="Open emergency access",
        declaration_heading="Now open emergency access",
        declaration="By opening it you confirm a child or adult is at risk and you cannot wait "
        "for an allocation or referral.",
        warning="Opening it cannot be undone: everything you open is recorded, and the "
        "information governance officers of the agencies whose data you open are alerted "
        "at once and review this use.",
        warning_button=True,
        back_url=cya.change_url(request.path),
        base_template="sharing/base.html",
    )
