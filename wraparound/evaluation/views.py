"""Pages: the plans, a new plan (or version), the commissioner's page, lock, exports."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from wraparound.core import check_answers as cya
from wraparound.core.access import role_required
from wraparound.core.models import Role
from wraparound.evaluation import charts, reports, services
from wraparound.evaluation.catalogues import outcome_catalogue, vocabulary
from wraparound.evaluation.covariates import covariate_labels
from wraparound.evaluation.forms import PlanForm, initial_from
from wraparound.evaluation.models import EvaluationPlan, PlanLockedError
from wraparound.evaluation.pipeline import DesignError
from wraparound.evaluation.summary import plan_answers
from wraparound.sharing.models import AuditAction

VIEW_ROLES = (Role.TEAM_MANAGER, Role.DATA_ANALYST)
PLAN_ROLES = (Role.DATA_ANALYST,)
EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _request_id(request: HttpRequest) -> str | None:
    return getattr(request, "request_id", None)


@role_required(*VIEW_ROLES)
def plan_list(request: HttpRequest) -> HttpResponse:
    """Every plan, newest version first; no figures here (they are on each plan's page)."""
    plans = EvaluationPlan.objects.select_related("service").prefetch_related("runs")
    return render(
        request,
        "evaluation/plans.html",
        {"plans": plans, "can_plan": getattr(request.user, "role", None) in PLAN_ROLES},
    )


@role_required(*PLAN_ROLES)
def plan_new(request: HttpRequest) -> HttpResponse:
    """A new draft plan, or (``?from=<pk>``) a new version of a locked one."""
    base = None
    if request.GET.get("from") or request.POST.get("from"):
        raw = request.GET.get("from") or request.POST.get("from") or ""
        if not raw.isdigit():
            raise Http404("No such plan.")
        base = get_object_or_404(EvaluationPlan, pk=int(raw))
    form = PlanForm(request.POST or None, initial=initial_from(base) if base else None)
    if request.method == "POST" and form.is_valid():
        try:
            if base is not None:
                plan = services.new_version(user=request.user, plan=base, **form.plan_fields())
            else:
                plan = services.create_plan(user=request.user, **form.plan_fields())
        except (DesignError, ValidationError) as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(
                request,
                f"Draft plan {plan.reference} v{plan.version} saved. Lock it before the first run.",
            )
            return redirect("evaluation:plan", pk=plan.pk)
    return render(request, "evaluation/plan_form.html", {"form": form, "base": base})


@role_required(*VIEW_ROLES)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The commissioner's page: plan, balance, effects beside the naive comparison, caveats."""
    plan = get_object_or_404(EvaluationPlan.objects.select_related("service"), pk=pk)
    context: dict[str, object] = {
        "plan": plan,
        "can_plan": getattr(request.user, "role", None) in PLAN_ROLES,
    }
    context["outcome_labels"] = {k: o.label for k, o in outcome_catalogue().items()}
    context["kind_labels"] = vocabulary().kinds
    try:
        report = reports.release_plan_report(
            user=request.user, plan=plan, action=AuditAction.VIEW, request_id=_request_id(request)
        )
    except services.EvaluationRefusedError as refusal:
        context["refusal"] = str(refusal)
    else:
        labels = covariate_labels(row["covariate"] for row in report.balance or [])
        context.update(
            report=report,
            love=charts.love_plot(report.balance, labels) if report.balance else None,
            covariate_names=labels,
            effects=[(o, charts.effect_chart(o)) for o in report.outcomes],
        )
    return render(request, "evaluation/plan.html", context)


@role_required(*PLAN_ROLES)
def plan_lock(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Check your answers" for the plan, then lock it: a locked plan never changes."""
    plan = get_object_or_404(EvaluationPlan.objects.select_related("service"), pk=pk)
    if plan.is_locked:
        messages.error(request, f"{plan.reference} v{plan.version} is already locked.")
        return redirect("evaluation:plan", pk=plan.pk)
    if request.method == "POST" and not cya.is_confirmation(request):
        return redirect("evaluation:plan-lock", pk=plan.pk)
    if cya.is_confirmation(request):
        try:
            services.lock_plan(user=request.user, plan=plan)
        except PlanLockedError as problem:
            messages.error(request, str(problem))
        else:
            messages.success(
                request,
                f"{plan.reference} v{plan.version} is locked: it can now be run, and no longer "
                "changed.",
            )
        return redirect("evaluation:plan", pk=plan.pk)
    page = cya.CheckPage(
        title="Check the plan before you lock it",
        caption=f"{plan.reference} version {plan.version}",
        sections=[cya.Section("", plan_answers(plan))],
        button="Lock this plan",
        intro="A draft plan is not edited: to ask a different question, write a new draft.",
        declaration_heading="Now lock the plan",
        declaration="You confirm this is the question, written down before any result is seen.",
        warning="Locking cannot be undone: the plan can then only be run, or replaced by a new "
        "version that keeps this one and its runs.",
        back_url=reverse("evaluation:plan", kwargs={"pk": plan.pk}),
        back_text="Back to the plan",
    )
    return cya.render_check(request, page)


@role_required(*VIEW_ROLES)
def plan_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """CSV or JSON of the released (suppressed) results; audited as an export."""
    if fmt not in EXPORT_TYPES:
        raise Http404("Export as csv or json.")
    plan = get_object_or_404(EvaluationPlan, pk=pk)
    try:
        report = reports.release_plan_report(
            user=request.user, plan=plan, action=AuditAction.EXPORT, request_id=_request_id(request)
        )
    except services.EvaluationRefusedError as problem:
        messages.error(request, f"The export was not produced: {problem}")
        return redirect("evaluation:plan", pk=plan.pk)
    body = reports.as_csv(report) if fmt == "csv" else reports.as_json(report)
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="evaluation-{plan.reference}-v{plan.version}.{fmt}"'
    )
    return response
