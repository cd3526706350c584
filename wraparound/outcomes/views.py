"""Outcomes pages: thin views over selectors (reads through the gate) and services (actions)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from wraparound.core.access import role_required
from wraparound.core.forms import SummaryError, check_answers
from wraparound.core.labels import label
from wraparound.core.models import Role
from wraparound.outcomes import reports, selectors, services
from wraparound.outcomes.forms import ConfirmReturnForm, SubmitReturnForm
from wraparound.outcomes.models import Baseline, Claim, ClaimStatus
from wraparound.outcomes.rules import ProgressStatus
from wraparound.outcomes.services import OutcomesError, StatusEntry
from wraparound.sharing.gate import FamilyNotVisibleError

CASEWORK = (Role.PRACTITIONER, Role.TEAM_MANAGER)
STATUS_CHOICES = [(s.value, s.label) for s in ProgressStatus]


def _rid(request: HttpRequest) -> str | None:
    return getattr(request, "request_id", None)


def _refuse(family_public_id: str, refusal: Exception) -> PermissionDenied:
    return PermissionDenied(f"You cannot open family {family_public_id}'s outcomes: {refusal}")


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw.strip()) if raw and raw.strip() else None
    except ValueError:
        return None


def _baseline(request: HttpRequest, pk: int, *, check: bool = True) -> Baseline:
    try:
        return selectors.baseline_for(
            user=request.user, baseline_id=pk, request_id=_rid(request), check=check
        )
    except Baseline.DoesNotExist as missing:
        raise Http404(str(missing)) from missing
    except FamilyNotVisibleError as refusal:
        raise PermissionDenied(f"You cannot open this family's outcomes: {refusal}") from refusal


@role_required(*CASEWORK)
def home(request: HttpRequest) -> HttpResponse:
    baselines = selectors.visible_baselines(user=request.user, request_id=_rid(request))
    return render(request, "outcomes/home.html", {"baselines": baselines})


@role_required(*CASEWORK)
def family(request: HttpRequest, family_public_id: str) -> HttpResponse:
    try:
        page = selectors.family_outcomes(
            user=request.user, family_public_id=family_public_id, request_id=_rid(request)
        )
    except FamilyNotVisibleError as refusal:
        raise _refuse(family_public_id, refusal) from refusal
    return render(request, "outcomes/family.html", {"page": page, "today": timezone.localdate()})


@require_POST
@role_required(*CASEWORK)
def fix_baseline(request: HttpRequest) -> HttpResponse:
    family_public_id = request.POST.get("family_public_id", "").strip()
    if not family_public_id:
        raise Http404("Say which family the baseline is for.")
    engaged_on = _date(request.POST.get("engaged_on", ""))
    if engaged_on is None:
        messages.error(request, "Enter the date the family engaged, for example 2026-03-01.")
        return redirect("outcomes:family", family_public_id=family_public_id)
    try:
        services.fix_baseline(
            by=request.user,
            family_public_id=family_public_id,
            engaged_on=engaged_on,
            service=request.POST.get("service", "")[:120],
            request_id=_rid(request),
        )
    except FamilyNotVisibleError as refusal:
        raise _refuse(family_public_id, refusal) from refusal
    except (OutcomesError, ValueError) as error:
        messages.error(request, str(error))
    return redirect("outcomes:family", family_public_id=family_public_id)


def _statuses(
    request: HttpRequest, baseline: Baseline
) -> tuple[dict[int, StatusEntry], list[SummaryError]]:
    """Each need's status and evidence; errors link to the field they are about."""
    errors, entries = [], {}
    for need in selectors.needs_of(baseline):
        status = request.POST.get(f"status-{need.pk}", "")
        evidence = request.POST.get(f"evidence-{need.pk}", "")
        name = label(need.descriptor).lower()
        if status not in ProgressStatus.__members__.values():
            first = f"status-{need.pk}-{STATUS_CHOICES[0][0]}"
            errors.append(SummaryError(f"Choose a status for {name}.", first))
        elif not evidence.strip():
            errors.append(
                SummaryError(
                    f"Say what evidence the status for {name} rests on.", f"evidence-{need.pk}"
                )
            )
        entries[need.pk] = StatusEntry(status, evidence)
    return entries, errors


def _scores(request: HttpRequest) -> tuple[list[tuple[str, str, float]], list[SummaryError]]:
    tool, area, raw = (request.POST.get(k, "").strip() for k in ("tool", "area", "score"))
    if not (tool or area or raw):
        return [], []
    try:
        score = float(raw)
    except ValueError:
        return [], [SummaryError("A tool score is a number, for example 6.", "score")]
    if not (tool and area) or not 0 <= score <= 100:
        target = "tool" if not tool else "area" if not area else "score"
        return [], [
            SummaryError(
                "A tool score needs the tool, the area and a number from 0 to 100.", target
            )
        ]
    return [(tool[:80], area[:80], score)], []


@role_required(*CASEWORK)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    # The proposals are read through the gate, which refuses without need to know.
    baseline = _baseline(request, pk, check=False)
    try:
        return _review(request, baseline)
    except FamilyNotVisibleError as refusal:
        raise _refuse(baseline.family_public_id, refusal) from refusal


def _review(request: HttpRequest, baseline: Baseline) -> HttpResponse:
    today = timezone.localdate()
    review_on = _date(request.POST.get("reviewed_on", "") or request.GET.get("on", "")) or today
    errors: list[SummaryError | str] = []
    if request.method == "POST":
        entries, need_errors = _statuses(request, baseline)
        errors += need_errors
        scores, score_errors = _scores(request)
        errors += score_errors
        if not errors:
            try:
                services.record_review(
                    by=request.user,
                    baseline=baseline,
                    reviewed_on=review_on,
                    statuses=entries,
                    tool_scores=scores,
                    notes=request.POST.get("notes", ""),
                    request_id=_rid(request),
                )
            except OutcomesError as error:
                errors.append(str(error))
            else:
                messages.success(request, "Review recorded.")
                return redirect("outcomes:family", family_public_id=baseline.family_public_id)
    if review_on < baseline.engaged_on or review_on > today:
        errors.append("The review date must be between the engagement date and today.")
        review_on = today
    proposals = selectors.review_proposals(
        user=request.user, baseline=baseline, review_on=review_on, request_id=_rid(request)
    )
    return render(
        request,
        "outcomes/review.html",
        {
            "baseline": baseline,
            "proposals": proposals,
            "review_on": review_on,
            "choices": STATUS_CHOICES,
            "errors": errors,
            "posted": request.POST,
        },
        status=400 if errors and request.method == "POST" else 200,
    )


@require_POST
@role_required(*CASEWORK)
def end_support(request: HttpRequest, pk: int) -> HttpResponse:
    baseline = _baseline(request, pk)
    ended_on = _date(request.POST.get("ended_on", ""))
    if ended_on is None:
        messages.error(request, "Enter the date support ended, for example 2026-03-01.")
    else:
        try:
            services.end_support(
                by=request.user,
                baseline=baseline,
                ended_on=ended_on,
                closure_ref=request.POST.get("closure_ref", "")[:64],
                request_id=_rid(request),
            )
        except OutcomesError as error:
            messages.error(request, str(error))
    return redirect("outcomes:family", family_public_id=baseline.family_public_id)


@require_POST
@role_required(*CASEWORK)
def equivalent_progress(request: HttpRequest, pk: int) -> HttpResponse:
    baseline = _baseline(request, pk)
    try:
        if request.POST.get("approve"):
            services.approve_equivalent_progress(
                by=request.user, baseline=baseline, request_id=_rid(request)
            )
            messages.success(request, "Equivalent progress approved.")
        else:
            services.record_equivalent_progress(
                by=request.user,
                baseline=baseline,
                reason=request.POST.get("reason", ""),
                request_id=_rid(request),
            )
            messages.success(request, "Equivalent progress recorded; a team manager approves it.")
    except OutcomesError as error:
        messages.error(request, str(error))
    return redirect("outcomes:family", family_public_id=baseline.family_public_id)


@role_required(*CASEWORK)
def make_claim(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: check what the claim will say before its evidence pack is sealed; POST: make it."""
    baseline = _baseline(request, pk)
    if request.method != "POST":
        return _check_claim(request, baseline)
    try:
        claim = services.make_claim(by=request.user, baseline=baseline, request_id=_rid(request))
    except OutcomesError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Candidate claim {claim.pk} made for {claim.period}; its evidence pack is sealed.",
        )
    return redirect("outcomes:family", family_public_id=baseline.family_public_id)


def _check_claim(request: HttpRequest, baseline: Baseline) -> HttpResponse:
    if hasattr(baseline, "claim"):
        messages.info(request, "This engagement has already been claimed.")
        return redirect("outcomes:family", family_public_id=baseline.family_public_id)
    try:
        assessment = selectors.assess_outcome(
            user=request.user, baseline=baseline, request_id=_rid(request)
        )
    except FamilyNotVisibleError as refusal:
        raise _refuse(baseline.family_public_id, refusal) from refusal
    return render(
        request,
        "outcomes/check_claim.html",
        {
            "baseline": baseline,
            "assessment": assessment,
            "period": services.claim_period(timezone.localdate()),
            "withheld": sum(a.withheld for a in assessment.needs),
        },
    )


@role_required(Role.TEAM_MANAGER)
def claims(request: HttpRequest) -> HttpResponse:
    listed = selectors.claims_in_pipeline(user=request.user, request_id=_rid(request))
    periods = sorted({c.period for c in listed}, reverse=True)
    try:
        alerts = reports.claim_rate_alerts(user=request.user, request_id=_rid(request))
        alert_refusal = ""
    except selectors.OutcomesAccessError as refusal:
        alerts, alert_refusal = [], str(refusal)
    return render(
        request,
        "outcomes/claims.html",
        {
            "claims": listed,
            "periods": periods,
            "alerts": alerts,
            "alert_refusal": alert_refusal,
            "statuses": ClaimStatus,
        },
    )


@role_required(Role.TEAM_MANAGER)
def validate_claim(request: HttpRequest) -> HttpResponse:
    """GET ?claim=: check the claim and its sealed pack; POST: validate it."""
    if request.method != "POST":
        try:
            claim = _claim(request, request.GET.get("claim", ""))
        except FamilyNotVisibleError as refusal:
            raise PermissionDenied(f"You cannot act on this claim: {refusal}") from refusal
        return render(
            request,
            "outcomes/check_validate.html",
            {"claim": claim, "pack": claim.evidence_pack, "seal": services.seal_of(claim)},
        )
    try:
        claim = _claim(request, request.POST.get("claim", ""))
        services.validate_claim(by=request.user, claim=claim, request_id=_rid(request))
        messages.success(request, f"Claim {claim.pk} validated.")
    except FamilyNotVisibleError as refusal:
        raise PermissionDenied(f"You cannot act on this claim: {refusal}") from refusal
    except OutcomesError as error:
        messages.error(request, str(error))
    return redirect("outcomes:claims")


RETURN_DRAFT = "outcomes-return-draft"


@role_required(Role.TEAM_MANAGER)
def submit_return(request: HttpRequest) -> HttpResponse:
    """Step 1 of submitting a quarter: the answers (quarter, note), then "check your answers"."""
    periods = selectors.periods_to_submit()
    if request.method == "POST":
        form = SubmitReturnForm(request.POST, periods=periods)
        if form.is_valid():
            request.session[RETURN_DRAFT] = {
                "period": form.cleaned_data["period"],
                "note": form.cleaned_data["note"],
            }
            return redirect("outcomes:check-return")
    else:
        draft = request.session.get(RETURN_DRAFT) or {}
        initial = {**draft, "period": request.GET.get("period") or draft.get("period")}
        form = SubmitReturnForm(initial=initial, periods=periods)
    return render(
        request,
        "outcomes/submit_return.html",
        {"form": form, "periods": periods},
        status=400 if form.errors else 200,
    )


@role_required(Role.TEAM_MANAGER)
def check_return(request: HttpRequest) -> HttpResponse:
    """Step 2: check the answers and what the return will hold, confirm, then submit."""
    draft = request.session.get(RETURN_DRAFT)
    answers = SubmitReturnForm(draft, periods=selectors.periods_to_submit()) if draft else None
    if answers is None or not answers.is_valid():
        messages.info(request, "Choose the quarter to submit: there is nothing to check yet.")
        return redirect("outcomes:submit-return")
    period, note = answers.cleaned_data["period"], answers.cleaned_data["note"]
    confirm = ConfirmReturnForm(request.POST if request.method == "POST" else None)
    errors: list[str] = []
    if request.method == "POST" and confirm.is_valid():
        try:
            done = services.submit_claims(
                by=request.user, period=period, note=note, request_id=_rid(request)
            )
        except OutcomesError as error:
            errors.append(str(error))
        else:
            del request.session[RETURN_DRAFT]
            messages.success(request, f"{len(done)} claim(s) submitted in the {period} return.")
            return redirect("outcomes:claims")
    preview = selectors.return_preview(user=request.user, period=period, request_id=_rid(request))
    return render(
        request,
        "outcomes/check_return.html",
        {
            "answers": check_answers(answers, change_url=reverse("outcomes:submit-return")),
            "preview": preview,
            "form": confirm,
            "errors": errors,
        },
        status=400 if confirm.errors or errors else 200,
    )


def _claim(request: HttpRequest, raw: str) -> Claim:
    claim = selectors.claim_by_id(user=request.user, raw=raw, request_id=_rid(request))
    if claim is None:
        raise Http404("No such claim.")
    return claim


@role_required(Role.TEAM_MANAGER, Role.DATA_ANALYST, Role.AUDITOR)
def quarterly_return(request: HttpRequest, period: str) -> HttpResponse:
    if not (
        len(period) == 7 and period[:4].isdigit() and period[4:6] == "-Q" and period[6] in "1234"
    ):
        raise Http404("A period looks like 2026-Q3.")
    try:
        body = reports.quarterly_return(user=request.user, period=period, request_id=_rid(request))
    except selectors.OutcomesAccessError as refusal:
        messages.error(request, str(refusal))
        auditor = request.user.role == Role.AUDITOR  # type: ignore[union-attr]
        return redirect("outcomes:audit-home" if auditor else "outcomes:dashboard")
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="supporting-families-return-{period}.csv"'
    )
    return response


@role_required(Role.TEAM_MANAGER, Role.DATA_ANALYST)
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        tables = reports.cohort_tables(user=request.user, as_of=today, request_id=_rid(request))
        refusal = ""
    except selectors.OutcomesAccessError as refused:
        tables, refusal = [], str(refused)
    period = services.claim_period(today)
    return render(
        request,
        "outcomes/dashboard.html",
        {"tables": tables, "refusal": refusal, "period": period, "measures": reports.MEASURES},
    )


@role_required(Role.TEAM_MANAGER, Role.DATA_ANALYST)
def dashboard_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "json"):
        raise Http404("Download as csv or json.")
    today = timezone.localdate()
    try:
        tables = reports.cohort_tables(user=request.user, as_of=today, request_id=_rid(request))
    except selectors.OutcomesAccessError as refusal:
        messages.error(request, str(refusal))
        return redirect(reverse("outcomes:dashboard"))
    if fmt == "csv":
        response = HttpResponse(reports.cohort_csv(tables), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(reports.cohort_json(tables, today), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="outcomes-cohorts-{today}.{fmt}"'
    return response
