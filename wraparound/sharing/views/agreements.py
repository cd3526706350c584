"""Agreement pages: list, read and print for everyone; approve, suspend and start a new version
for IG officers, each after a "Check your answers" page (drafting: ``agreement_editor``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from wraparound.core import check_answers as cya
from wraparound.core.access import role_required
from wraparound.core.forms import check_answers
from wraparound.core.models import Agency
from wraparound.sharing import agreement_tasks as tasks
from wraparound.sharing import selectors, services
from wraparound.sharing.catalogues import catalogues
from wraparound.sharing.forms import ReasonForm
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


APPROVE, SUSPEND, NEW_VERSION = "approve", "suspend", "new_version"


def _summary(agreement: SharingAgreement) -> list[cya.Section]:
    """The agreement as saved, task by task; Change links open the draft's task pages."""
    copy = tasks.WorkingCopy(agreement.pk, agreement.revision, tasks.saved_answers(agreement))
    copy.saved_tasks = [t.slug for t in tasks.TASKS]
    agencies = list(Agency.objects.order_by("name"))
    if agreement.status != AgreementStatus.DRAFT:
        return tasks.summary(copy, agencies, None)
    return tasks.summary(
        copy,
        agencies,
        lambda t: reverse(
            "sharing:agreement-edit-task", kwargs={"pk": agreement.pk, "task": t.slug}
        ),
    )


def _is_party(request: HttpRequest, agreement: SharingAgreement) -> bool:
    return any(p.agency_id == signed_in(request).agency_id for p in agreement.parties.all())


def _act(request: HttpRequest, agreement: SharingAgreement, action: str, reason: str) -> None:
    seen = request.POST.get("revision", "")
    if action == APPROVE:
        services.approve_agreement(
            by=signed_in(request),
            agreement=agreement,
            expected_revision=int(seen) if seen.isdigit() else None,
            request_id=request_id(request),
        )
        messages.success(request, f"Your agency approved {agreement.reference}.")
    elif action == SUSPEND:
        services.suspend_agreement(
            by=signed_in(request), agreement=agreement, reason=reason,
            request_id=request_id(request),
        )  # fmt: skip
        messages.success(request, f"{agreement.reference} is suspended: it permits nothing.")
    else:
        services.start_new_version(
            by=signed_in(request), agreement=agreement, request_id=request_id(request)
        )
        messages.success(request, f"Version {agreement.version + 1} drafted.")


def _check_page(
    request: HttpRequest, agreement: SharingAgreement, action: str, form: ReasonForm | None
) -> cya.CheckPage:
    agency = signed_in(request).agency
    who = agency.name if agency is not None else "your agency"
    sections = _summary(agreement) if action == APPROVE else []
    if form is not None:
        change = cya.change_url(request.path)
        sections = [cya.Section("Why it is suspended", check_answers(form, change_url=change))]
    words = {
        APPROVE: (
            f"Check {agreement.title} before you approve it",
            f"Approve for {who}",
            f"Now approve it for {who}",
            f"You confirm, for {who}, the lawful bases and the data set out above. It comes "
            "into force when every party has approved this version.",
            "",
        ),
        SUSPEND: (
            f"Check before you suspend {agreement.title}",
            "Suspend agreement",
            "Now suspend the agreement",
            "Suspending records your reason against the agreement for every party to read.",
            "Suspending stops all sharing under this agreement at once, for every party. "
            "Sharing resumes only under a new version that every party approves.",
        ),
        NEW_VERSION: (
            f"Start version {agreement.version + 1} of {agreement.title}",
            "Start new version",
            "Now start the new version",
            "The new version starts as a draft with the current text, for you to change.",
            f"Version {agreement.version} stops permitting sharing at once; sharing resumes "
            "when every party approves the new version.",
        ),
    }
    title, button, heading, declaration, warning = words[action]
    return cya.CheckPage(
        title=title,
        caption=f"{agreement.reference}, version {agreement.version}",
        sections=sections,
        button=button,
        declaration_heading=heading,
        declaration=declaration,
        warning=warning,
        warning_button=action == SUSPEND,
        back_url=reverse("sharing:agreement", kwargs={"pk": agreement.pk}),
        back_text="Back to the agreement",
        base_template="sharing/base.html",
        hidden=[("revision", str(agreement.revision))],
    )


def _confirm(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Check, then act: approve (GET shows the agreement to approve), suspend (a reason first),
    or start a new version; each only on the check page's confirmation."""
    agreement = _get(pk)
    if not _is_party(request, agreement):
        return render(
            request,
            "sharing/agreement_confirm.html",
            {"agreement": agreement, "action": action},
            status=403 if request.method == "POST" else 200,
        )
    key = f"agreement-suspend-{agreement.pk}"
    form = ReasonForm(cya.form_data(request, key)) if action == SUSPEND else None
    if form is not None and (request.method != "POST" or not form.is_valid()):
        return render(
            request, "sharing/agreement_suspend.html", {"agreement": agreement, "form": form}
        )
    page = _check_page(request, agreement, action, form)
    if cya.is_confirmation(request):
        try:
            _act(request, agreement, action, form.cleaned_data["reason"] if form else "")
        except services.SharingError as failure:
            page.error = str(failure)
        else:
            cya.release(request, key)
            return redirect("sharing:agreement", pk=agreement.pk)
    if form is not None and request.method == "POST":
        return cya.check_form(request, key, page, status=400 if page.error else 200)
    return cya.render_check(request, page, status=400 if page.error else 200)


@role_required(IG)
def agreement_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirm(request, pk, "approve")


@role_required(IG)
def agreement_suspend(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirm(request, pk, "suspend")


@role_required(IG)
def agreement_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirm(request, pk, "new_version")
