"""Agreement pages: list, read and print for everyone; draft, approve, suspend for IG officers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from wraparound.core.access import role_required
from wraparound.core.models import Agency
from wraparound.sharing import selectors, services
from wraparound.sharing.catalogues import catalogues
from wraparound.sharing.forms import AgreementForm, ReasonForm
from wraparound.sharing.models import AgreementStatus, SharingAgreement
from wraparound.sharing.views.common import ALL, IG, request_id, signed_in


def _get(pk: int) -> SharingAgreement:
    try:
        return selectors.agreement_detail(pk)
    except SharingAgreement.DoesNotExist as error:
        raise Http404("No such agreement.") from error


@role_required(*ALL)
def agreement_list(request: HttpRequest) -> HttpResponse:
    return render(request, "sharing/agreement_list.html", {"agreements": selectors.agreements()})


def _context(agreement: SharingAgreement) -> dict[str, object]:
    cats = catalogues()
    shared: dict[str, list[str]] = {}
    for s in agreement.shared_categories.all():
        shared.setdefault(s.providing_agency.name, []).append(cats.categories[s.category].label)
    return {
        "agreement": agreement,
        "parties": [
            (p, [cats.lawful_bases[b] for b in p.lawful_bases if b in cats.lawful_bases])
            for p in agreement.parties.all()
        ],
        "shared": sorted(shared.items()),
        "purposes": [cats.purposes[p] for p in agreement.purposes if p in cats.purposes],
        "conditions": [
            cats.no_consent_conditions[c]
            for c in agreement.no_consent_conditions
            if c in cats.no_consent_conditions
        ],
    }


@role_required(*ALL)
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _get(pk)
    context = _context(agreement)
    context["my_party"] = next(
        (p for p in agreement.parties.all() if p.agency_id == signed_in(request).agency_id), None
    )
    return render(request, "sharing/agreement_detail.html", context)


@role_required(*ALL)
def agreement_text(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "sharing/agreement_text.html", _context(_get(pk)))


def _agencies() -> list[Agency]:
    return list(Agency.objects.order_by("name"))


def _save(request: HttpRequest, form: AgreementForm, agreement: SharingAgreement | None) -> bool:
    if not form.is_valid():
        return False
    try:
        if agreement is None:
            saved = services.create_agreement(
                by=signed_in(request), draft=form.to_draft(), request_id=request_id(request)
            )
        else:
            saved = services.update_draft(
                by=signed_in(request),
                agreement=agreement,
                draft=form.to_draft(),
                expected_revision=form.cleaned_data.get("revision"),
                request_id=request_id(request),
            )
    except services.SharingError as error:
        form.add_error(None, ValidationError(str(error)))
        return False
    form.saved = saved  # type: ignore[attr-defined]
    return True


@role_required(IG)
def agreement_create(request: HttpRequest) -> HttpResponse:
    form = AgreementForm(request.POST or None, agencies=_agencies())
    if request.method == "POST" and _save(request, form, None):
        messages.success(request, "Draft saved. Each party's IG officer must now approve it.")
        return redirect("sharing:agreement", pk=form.saved.pk)  # type: ignore[attr-defined]
    return render(request, "sharing/agreement_form.html", {"form": form, "agreement": None})


@role_required(IG)
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _get(pk)
    if agreement.status != AgreementStatus.DRAFT:
        return render(request, "sharing/agreement_locked.html", {"agreement": agreement})
    form = AgreementForm(
        request.POST or None, agencies=_agencies(), initial=AgreementForm.initial_for(agreement)
    )
    if request.method == "POST" and _save(request, form, agreement):
        messages.success(request, "Draft updated.")
        return redirect("sharing:agreement", pk=agreement.pk)
    return render(request, "sharing/agreement_form.html", {"form": form, "agreement": agreement})


def _confirm(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    agreement = _get(pk)
    form = ReasonForm(request.POST or None) if action == "suspend" else None
    error = ""
    seen = request.POST.get("revision", "")
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            if action == "approve":
                services.approve_agreement(
                    by=signed_in(request),
                    agreement=agreement,
                    expected_revision=int(seen) if seen.isdigit() else None,
                    request_id=request_id(request),
                )
                messages.success(request, f"Your agency approved {agreement.reference}.")
            elif action == "suspend":
                assert form is not None
                services.suspend_agreement(
                    by=signed_in(request),
                    agreement=agreement,
                    reason=form.cleaned_data["reason"],
                    request_id=request_id(request),
                )
                messages.success(
                    request, f"{agreement.reference} is suspended: it permits nothing."
                )
            else:
                services.start_new_version(
                    by=signed_in(request), agreement=agreement, request_id=request_id(request)
                )
                messages.success(request, f"Version {agreement.version + 1} drafted.")
            return redirect("sharing:agreement", pk=agreement.pk)
        except services.SharingError as failure:
            error = str(failure)
    return render(
        request,
        "sharing/agreement_confirm.html",
        {
            "agreement": agreement,
            "action": action,
            "form": form,
            "error": error,
            "is_party": any(
                p.agency_id == signed_in(request).agency_id for p in agreement.parties.all()
            ),
        },
    )


@role_required(IG)
def agreement_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirm(request, pk, "approve")


@role_required(IG)
def agreement_suspend(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirm(request, pk, "suspend")


@role_required(IG)
def agreement_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirm(request, pk, "new_version")
