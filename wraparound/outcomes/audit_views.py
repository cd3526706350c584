"""Internal audit's pages: the sample, a claim's frozen evidence pack and the spot check.

The spot check is irreversible (a "no" rejects the claim), so the answers go through a
"check your answers" page before they are recorded. Reads go through the selectors (the
sharing gate, purpose claim assurance); writes through the services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from wraparound.core.access import role_required
from wraparound.core.forms import check_answers
from wraparound.core.labels import label
from wraparound.core.models import Role
from wraparound.outcomes import selectors, services
from wraparound.outcomes.forms import SpotCheckForm
from wraparound.outcomes.models import Claim, ClaimStatus
from wraparound.outcomes.services import AUDIT_QUESTIONS, OutcomesError
from wraparound.sharing.gate import FamilyNotVisibleError

SPOT_CHECK_DRAFT = "outcomes-spot-check-draft"


def _rid(request: HttpRequest) -> str | None:
    return getattr(request, "request_id", None)


@role_required(Role.AUDITOR)
def audit_home(request: HttpRequest) -> HttpResponse:
    """Internal audit's own page: the sample to check and the quarters still to sample."""
    try:
        work = selectors.audit_work(user=request.user, request_id=_rid(request))
    except selectors.OutcomesAccessError as refusal:
        raise PermissionDenied(str(refusal)) from refusal
    periods = {c.period for c in work.sampled} | {services.claim_period(timezone.localdate())}
    return render(
        request,
        "outcomes/audit_home.html",
        {"work": work, "return_periods": sorted(periods, reverse=True)},
    )


@require_POST
@role_required(Role.AUDITOR)
def draw_sample(request: HttpRequest) -> HttpResponse:
    period = request.POST.get("period", "")
    try:
        chosen = services.sample_for_audit(by=request.user, period=period, request_id=_rid(request))
    except OutcomesError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{len(chosen)} claim(s) of {period} drawn for internal audit.")
    return redirect("outcomes:audit-home")


def _claim_for_audit(request: HttpRequest, pk: int) -> tuple[Claim, dict[str, Any]]:
    try:
        claim, visible, withheld = selectors.claim_for_audit(
            user=request.user, claim_id=pk, request_id=_rid(request)
        )
    except Claim.DoesNotExist as missing:
        raise Http404(str(missing)) from missing
    except FamilyNotVisibleError as refusal:
        raise PermissionDenied(f"You cannot audit this claim: {refusal}") from refusal
    return claim, _pack_context(claim, visible, withheld)


def _pack_context(claim: Claim, visible: list[dict[str, Any]], withheld: int) -> dict[str, Any]:
    """The frozen pack as the page shows it: only the evidence pointers the gate permits."""
    pack = claim.evidence_pack
    shown = {(p.get("event_key"), p.get("kind")) for p in visible}
    needs = [
        {
            **need,
            "label": label(need["descriptor"]),
            "outcome_label": label(need["outcome"]),
            "pointers": [
                {**p, "kind_label": label(p.get("kind", ""), "event_kind"), "read_for": why}
                for why, key in (
                    ("The need at engagement", "evidence"),
                    ("The sustain window", "window_records"),
                )
                for p in need.get(key, [])
                if (p.get("event_key"), p.get("kind")) in shown
            ],
        }
        for need in pack.get("needs", [])
    ]
    return {
        "claim": claim,
        "pack": pack,
        "needs": needs,
        "outcomes": sorted({n["outcome_label"] for n in needs}),
        "reviews": pack.get("reviews", []),
        "withheld": withheld,
        "seal": services.seal_of(claim),
        "questions": AUDIT_QUESTIONS,
    }


def _open_for_check(claim: Claim) -> bool:
    return claim.status == ClaimStatus.SAMPLED and not claim.audit_answers


@role_required(Role.AUDITOR)
def audit_sample(request: HttpRequest, pk: int) -> HttpResponse:
    """A sampled claim's evidence pack and the three questions; answers go to the check page."""
    claim, context = _claim_for_audit(request, pk)
    drafts = request.session.get(SPOT_CHECK_DRAFT, {})
    if request.method == "POST" and _open_for_check(claim):
        form = SpotCheckForm(request.POST, questions=AUDIT_QUESTIONS)
        if form.is_valid():
            request.session[SPOT_CHECK_DRAFT] = {**drafts, str(claim.pk): form.cleaned_data}
            return redirect("outcomes:audit-check", pk=claim.pk)
    else:
        form = SpotCheckForm(initial=drafts.get(str(claim.pk), {}), questions=AUDIT_QUESTIONS)
    context |= {"form": form, "open": _open_for_check(claim)}
    return render(request, "outcomes/audit.html", context, status=400 if form.errors else 200)


@role_required(Role.AUDITOR)
def audit_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Check the spot-check answers, then record them (a "no" rejects the claim)."""
    claim, context = _claim_for_audit(request, pk)
    drafts = dict(request.session.get(SPOT_CHECK_DRAFT, {}))
    draft = drafts.get(str(claim.pk))
    answers = SpotCheckForm(draft, questions=AUDIT_QUESTIONS) if draft else None
    if not _open_for_check(claim) or answers is None or not answers.is_valid():
        messages.info(request, "Answer the spot-check questions first: there is nothing to check.")
        return redirect("outcomes:audit", pk=claim.pk)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.record_spot_check(
                by=request.user,
                claim=claim,
                answers=answers.answers(),
                note=answers.cleaned_data["note"],
                request_id=_rid(request),
            )
        except OutcomesError as error:
            errors.append(str(error))
        else:
            drafts.pop(str(claim.pk), None)
            request.session[SPOT_CHECK_DRAFT] = drafts
            messages.success(request, "Spot check recorded.")
            return redirect("outcomes:audit", pk=claim.pk)
    change = reverse("outcomes:audit", kwargs={"pk": claim.pk})
    context |= {
        "answers": check_answers(answers, change_url=change),
        "fails": not all(answers.answers().values()),
        "errors": errors,
    }
    return render(request, "outcomes/audit_check.html", context, status=400 if errors else 200)
