"""IG officers' pages: alerts, the break-glass review queue, audit search, reports, subject access."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from wraparound.core import check_answers as cya
from wraparound.core.access import role_required
from wraparound.core.forms import Answer
from wraparound.sharing import audit, selectors, services, subjects
from wraparound.sharing import subject_access as subject_access_reads
from wraparound.sharing.forms import (
    AuditSearchForm,
    DelegationForm,
    RedactionForm,
    ReviewForm,
    SubjectAccessForm,
    SubjectAccessRequestForm,
)
from wraparound.sharing.models import (
    AuditAction,
    AuditOutcome,
    BreakGlassGrant,
    RedactionReason,
    SubjectAccessRequest,
    UploadDelegation,
)
from wraparound.sharing.views.common import IG, request_id, signed_in

PAGE_SIZE = 50


@role_required(IG)
def governance_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "sharing/governance.html",
        {
            "alerts": selectors.alerts_for(request.user)[:30],
            "queue_count": selectors.review_queue(request.user).count(),
        },
    )


@role_required(IG)
def break_glass_queue(request: HttpRequest) -> HttpResponse:
    return render(
        request, "sharing/break_glass_queue.html", {"grants": selectors.review_queue(request.user)}
    )


@role_required(IG)
def break_glass_review(request: HttpRequest, pk: int) -> HttpResponse:
    grant = (
        BreakGlassGrant.objects.select_related("user__agency", "reviewed_by").filter(pk=pk).first()
    )
    if grant is None:
        raise Http404("No such emergency access.")
    may_review = any(a.pk == signed_in(request).agency_id for a in grant.alerted_agencies.all())
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_break_glass(
                by=signed_in(request),
                grant=grant,
                outcome=form.cleaned_data["outcome"],
                notes=form.cleaned_data["notes"],
                request_id=request_id(request),
            )
        except services.SharingError as error:
            form.add_error(None, ValidationError(str(error)))
        else:
            messages.success(request, "Review recorded.")
            return redirect("sharing:break-glass-queue")
    return render(
        request,
        "sharing/break_glass_review.html",
        {
            "grant": grant,
            "form": form,
            "may_review": may_review,
            "accesses": selectors.audit_search({"family": grant.family_public_id}).filter(
                break_glass_id=grant.pk
            )[:100],
        },
    )


@role_required(IG)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = Paginator(selectors.audit_search(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "sharing/audit_log.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@role_required(IG)
def denied_report(request: HttpRequest) -> HttpResponse:
    return render(request, "sharing/report_denied.html", selectors.denied_report())


@role_required(IG)
def break_glass_report(request: HttpRequest) -> HttpResponse:
    return render(request, "sharing/report_break_glass.html", selectors.break_glass_report())


@role_required(IG)
def subject_access(request: HttpRequest) -> HttpResponse:
    """Find the person (surname and date of birth, or id), then open a request for them."""
    form = SubjectAccessForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "requests": _requests_of(request)}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["person"].strip():
            person = data["person"].strip().upper()
            found = [person] if subjects.person_exists(person) else []
        else:
            found = [
                c.person_public_id
                for c in subject_access_reads.find_people(
                    user=signed_in(request),
                    surname=data["surname"],
                    first_name=data["first_name"],
                    dob=data["dob"],
                    request_id=request_id(request),
                )
            ]
        context["found"] = found
        context["open_forms"] = [
            SubjectAccessRequestForm(initial={"person": p, "received_on": timezone.localdate()})
            for p in found
        ]
    return render(request, "sharing/subject_access.html", context)


def _requests_of(request: HttpRequest) -> Any:
    return SubjectAccessRequest.objects.filter(agency_id=signed_in(request).agency_id or 0)[:20]


@role_required(IG)
@require_POST
def subject_access_open(request: HttpRequest) -> HttpResponse:
    form = SubjectAccessRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say who made the request and when it was received.")
        return redirect("sharing:subject-access")
    try:
        made = services.open_subject_access_request(
            by=signed_in(request),
            person_public_id=form.cleaned_data["person"],
            requester=form.cleaned_data["requester"],
            received_on=form.cleaned_data["received_on"],
            request_id=request_id(request),
        )
    except services.SharingError as error:
        messages.error(request, str(error))
        return redirect("sharing:subject-access")
    return redirect("sharing:subject-access-request", pk=made.pk)


def _own_request(request: HttpRequest, pk: int) -> SubjectAccessRequest:
    found = SubjectAccessRequest.objects.filter(
        pk=pk, agency_id=signed_in(request).agency_id or 0
    ).first()
    if found is None:
        audit.record_access(
            user=signed_in(request),
            action=AuditAction.VIEW,
            outcome=AuditOutcome.DENY,
            purpose="subject_access",
            reason=f"Refused subject access request {pk}: not one your agency is answering",
            request_id=request_id(request),
        )
        raise Http404("No such subject access request for your agency.")
    return found


@role_required(IG)
def subject_access_request(request: HttpRequest, pk: int) -> HttpResponse:
    """The response being prepared: per-agency sections, redaction, then disclosure."""
    sar = _own_request(request, pk)
    if (
        request.method == "POST"
        and request.POST.get("disclose")
        and not cya.is_confirmation(request)
    ):
        return _disclosure_check(request, sar)
    if request.method == "POST":
        try:
            if request.POST.get("disclose"):
                services.disclose_response(
                    by=signed_in(request),
                    request=sar,
                    item_refs=request.POST.getlist("item"),
                    request_id=request_id(request),
                )
                messages.success(request, f"{sar.reference} recorded as disclosed.")
                return redirect("sharing:subject-access-response", pk=sar.pk)
            form = RedactionForm(request.POST)
            if not form.is_valid():
                raise services.SharingError("Choose the item and the exemption relied on.")
            services.redact_item(
                by=signed_in(request),
                request=sar,
                item_ref=form.cleaned_data["item_ref"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                request_id=request_id(request),
            )
            messages.success(request, "Redaction recorded.")
        except services.SharingError as error:
            messages.error(request, str(error))
        return redirect("sharing:subject-access-request", pk=sar.pk)
    response = subject_access_reads.compile_response(
        user=signed_in(request), request=sar, request_id=request_id(request)
    )
    return render(
        request,
        "sharing/subject_access_request.html",
        {"sar": sar, "response": response, "reasons": RedactionReason.choices},
    )


def _disclosure_check(request: HttpRequest, sar: SubjectAccessRequest) -> HttpResponse:
    """ "Check your answers" before the disclosure is recorded: what goes out, what is redacted."""
    response = subject_access_reads.compile_response(
        user=signed_in(request), request=sar, request_id=request_id(request)
    )
    chosen = set(request.POST.getlist("item"))
    back = reverse("sharing:subject-access-request", kwargs={"pk": sar.pk})
    answers = [
        Answer("Person", sar.person_public_id, ""),
        Answer("Requested by", sar.requester, ""),
        Answer("Received", f"{sar.received_on:%-d %B %Y}", ""),
    ]
    for answer in response.agencies:
        rows = [
            (item, redaction) for section in answer.sections for item, redaction in section.rows
        ]
        sent = sum(1 for item, redaction in rows if not redaction and item.ref in chosen)
        redacted = [RedactionReason(r).label for _, r in rows if r]
        words = f"{sent} item{'s' if sent != 1 else ''} disclosed"
        if redacted:
            words += f"; {len(redacted)} redacted ({'; '.join(sorted(set(redacted)))})"
        if later := len(rows) - sent - len(redacted):
            words += f"; {later} not included (recorded since you checked the response)"
        answers.append(Answer(answer.agency.name, words, f"{back}#main-content"))
    page = cya.CheckPage(
        title=f"Check the response to {sar.reference} before you disclose it",
        caption="Subject access request",
        sections=[cya.Section("", answers)],
        button="Record the disclosure",
        declaration_heading="Now record the disclosure",
        declaration="You confirm each item has been checked for third-party information and "
        "for child abuse data whose disclosure would not be in the child's best interests.",
        warning="A disclosure cannot be withdrawn: once recorded, the response is fixed and "
        "the requester is entitled to what it contains.",
        back_url=back,
        back_text="Back to the response",
        base_template="sharing/base.html",
        hidden=[("disclose", "1"), *(("item", ref) for ref in request.POST.getlist("item"))],
    )
    return cya.render_check(request, page)


@role_required(IG)
def subject_access_response(request: HttpRequest, pk: int) -> HttpResponse:
    """The disclosed response: printable, or ``?format=csv`` to download (audited as export)."""
    sar = _own_request(request, pk)
    if sar.status != SubjectAccessRequest.Status.DISCLOSED:
        messages.error(request, "Disclose the response first: check and redact it here.")
        return redirect("sharing:subject-access-request", pk=sar.pk)
    as_csv = request.GET.get("format") == "csv"
    response = subject_access_reads.compile_response(
        user=signed_in(request),
        request=sar,
        action=AuditAction.EXPORT if as_csv else AuditAction.DISCLOSE,
        request_id=request_id(request),
    )
    if as_csv:
        return _csv(sar, response)
    return render(
        request, "sharing/subject_access_response.html", {"sar": sar, "response": response}
    )


def _csv(sar: SubjectAccessRequest, response: subject_access_reads.Response) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Agency", "Section", "Item", "Content"])
    for answer in response.agencies:
        for section in answer.sections:
            for item, redaction in section.rows:
                content = (
                    f"[Redacted: {RedactionReason(redaction).label}]"
                    if redaction
                    else "; ".join(
                        f"{c}: {v}" for c, v in zip(item.columns, item.values, strict=True)
                    )
                )
                writer.writerow([answer.agency.name, section.title, item.ref, content])
    download = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    download["Content-Disposition"] = f'attachment; filename="{sar.reference}.csv"'
    return download


@role_required(IG)
def upload_delegations(request: HttpRequest) -> HttpResponse:
    """Delegate (or revoke) uploading the officer's agency's extracts to another agency."""
    form = DelegationForm((request.POST or None) if "revoke" not in request.POST else None)
    if request.method == "POST":
        try:
            if "revoke" in request.POST:
                delegation = UploadDelegation.objects.filter(
                    pk=int(request.POST["revoke"]) if request.POST["revoke"].isdigit() else 0
                ).first()
                if delegation is None:
                    raise services.SharingError("No such delegation.")
                services.revoke_upload_delegation(
                    by=signed_in(request), delegation=delegation, request_id=request_id(request)
                )
                messages.success(request, "Delegation revoked.")
                return redirect("sharing:upload-delegations")
            if form.is_valid():
                services.delegate_uploads(
                    by=signed_in(request),
                    to_agency=form.cleaned_data["to_agency"],
                    reason=form.cleaned_data["reason"],
                    request_id=request_id(request),
                )
                messages.success(request, "Delegation recorded.")
                return redirect("sharing:upload-delegations")
        except services.SharingError as error:
            form.add_error(None, ValidationError(str(error)))
    return render(
        request,
        "sharing/upload_delegations.html",
        {"form": form, "delegations": services.active_delegations()},
        status=400 if form.errors else 200,
    )
