"""Pages: the targeting report (aggregate), its exports, the action list, the indicators."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from wraparound.core.access import role_required
from wraparound.core.models import Agency, Role
from wraparound.needs import charts, reports
from wraparound.needs.indicators import load_catalogue
from wraparound.needs.selectors import families_at_risk_not_supported, localities
from wraparound.needs.targeting import MEASURE_LABELS, RATE_LABELS
from wraparound.sharing.models import AuditAction
from wraparound.sharing.views.common import signed_in

REPORT_ROLES = (Role.TEAM_MANAGER, Role.DATA_ANALYST)
LIST_ROLES = (Role.PRACTITIONER, Role.TEAM_MANAGER)
EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _request_id(request: HttpRequest) -> str | None:
    return getattr(request, "request_id", None)


def _agency_names() -> dict[str, str]:
    return dict(Agency.objects.values_list("slug", "name"))


@role_required(*REPORT_ROLES)
def targeting(request: HttpRequest) -> HttpResponse:
    """The matrix by locality and agency, charts and trend, if the gate permits aggregate use."""
    context: dict[str, object] = {"measures": MEASURE_LABELS, "rate_labels": RATE_LABELS}
    try:
        report = reports.release_targeting_report(
            user=request.user, action=AuditAction.VIEW, request_id=_request_id(request)
        )
    except reports.ReportRefusedError as refusal:
        context["refusal"] = str(refusal)
    except reports.NoNeedsRunError as missing:
        context["missing"] = str(missing)
    else:
        context.update(
            report=report,
            bars=charts.matrix_bars(report.by_locality),
            trend_chart=charts.trend_lines(report.trend),
            agency_names=_agency_names(),
        )
    return render(request, "needs/targeting.html", context)


@role_required(*REPORT_ROLES)
def targeting_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """CSV or JSON download of the suppressed report; audited as an export."""
    if fmt not in EXPORT_TYPES:
        raise Http404("Export as csv or json.")
    try:
        report = reports.release_targeting_report(
            user=request.user, action=AuditAction.EXPORT, request_id=_request_id(request)
        )
    except (reports.ReportRefusedError, reports.NoNeedsRunError) as problem:
        messages.error(request, f"The export was not produced: {problem}")
        return redirect("needs:targeting")
    body = reports.as_csv(report) if fmt == "csv" else reports.as_json(report)
    response = HttpResponse(body, content_type=EXPORT_TYPES[fmt])
    filename = f"targeting-{report.run.reference_date.isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@role_required(*LIST_ROLES)
def at_risk_not_supported(request: HttpRequest) -> HttpResponse:
    """Practitioners: the families they may open. Team managers: counts by locality only."""
    run = reports.latest_run()
    locality = request.GET.get("locality", "").strip() or None
    context: dict[str, object] = {"run": run, "locality": locality}
    if run is None:
        context["missing"] = "No needs run yet."
    elif request.user.role == Role.TEAM_MANAGER:  # type: ignore[union-attr]
        try:
            report = reports.release_targeting_report(
                user=request.user, action=AuditAction.VIEW, run=run, request_id=_request_id(request)
            )
        except reports.ReportRefusedError as refusal:
            context["refusal"] = str(refusal)
        else:
            context["aggregate_rows"] = report.by_locality.rows
            context["audience"] = report.audience
    else:
        context["families"] = families_at_risk_not_supported(
            user=signed_in(request), run=run, locality=locality, request_id=_request_id(request)
        )
        context["localities"] = localities(run)
        context["agency_names"] = _agency_names()
    return render(request, "needs/at_risk.html", context)


@role_required(*Role.values)
def indicators(request: HttpRequest) -> HttpResponse:
    """The indicator catalogue in plain English: how a family comes to be flagged."""
    catalogue = load_catalogue()
    by_outcome = [
        (key, label, [i for i in catalogue.indicators if i.outcome == key])
        for key, label in catalogue.outcome_labels.items()
    ]
    return render(
        request, "needs/indicators.html", {"catalogue": catalogue, "by_outcome": by_outcome}
    )
