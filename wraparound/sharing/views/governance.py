"""IG officers' pages: alerts, the break-glass review queue, audit search, reports, subject access."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from wraparound.core.access import role_required
from wraparound.sharing import audit, selectors, services
from wraparound.sharing.forms import AuditSearchForm, ReviewForm, SubjectAccessForm
from wraparound.sharing.models import AuditAction, AuditOutcome, BreakGlassGrant
from wraparound.sharing.subject_data import subject_report
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
    form = SubjectAccessForm(request.GET or None)
    sections = None
    if form.is_bound and form.is_valid():
        person = form.cleaned_data["person"].strip()
        family = form.cleaned_data["family"].strip()
        sections = subject_report(person, [family] if family else [])
        audit.record_access(
            user=request.user,
            action=AuditAction.DISCLOSE,
            outcome=AuditOutcome.PERMIT,
            purpose="subject_access",
            person_public_id=person,
            family_public_id=family,
            reason="Subject access report compiled",
            request_id=request_id(request),
        )
    return render(request, "sharing/subject_access.html", {"form": form, "sections": sections})
