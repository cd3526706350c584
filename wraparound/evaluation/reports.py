"""Reads: a plan's latest run as a commissioner may see it, through the sharing gate.

Every view and export is an aggregate read under the evaluation purpose, audited by
``read_aggregate`` (permitted or refused). Small counts are suppressed with the needs
app's rules; when a run was withheld, no effect figure leaves this module, only the reasons
and the balance table (which is what the analyst needs to act on).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

from wraparound.evaluation.models import EvaluationPlan, EvaluationRun, RunStatus
from wraparound.evaluation.services import PURPOSE, EvaluationRefusedError
from wraparound.needs.reports import suppression_threshold
from wraparound.needs.suppression import suppress
from wraparound.sharing.gate import read_aggregate
from wraparound.sharing.models import AuditAction

VERDICTS = {
    "fewer": "Fewer families had this outcome after the service than similar families without it.",
    "more": "More families had this outcome after the service than similar families without it.",
    "no_evidence": "No evidence of an effect: the interval includes no difference.",
}
COUNT_KEYS = ("treated_with", "treated_without", "comparison_with", "comparison_without")


@dataclass
class PlanReport:
    """What the page and the exports show for one plan."""

    plan: EvaluationPlan
    run: EvaluationRun | None
    threshold: int
    outcomes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def released(self) -> bool:
        return bool(self.run and self.run.status == RunStatus.SUCCEEDED and not self.run.withheld)

    @property
    def reasons(self) -> list[str]:
        if self.run is None:
            return ["The plan has not been run yet."]
        if self.run.status == RunStatus.FAILED:
            return [self.run.error]
        return list(self.run.result.get("reasons", []))

    @property
    def balance(self) -> list[dict[str, Any]]:
        return list(self.run.result.get("balance", [])) if self.run else []

    @property
    def families(self) -> dict[str, Any]:
        return dict(self.run.result.get("families", {})) if self.run else {}


def threshold() -> int:
    """The partnership's small-number threshold, the same as the targeting report's."""
    return suppression_threshold()


def _suppressed_counts(counts: dict[str, int], limit: int) -> dict[str, int | str]:
    cells = suppress(
        counts,
        [["treated_with", "treated_without"], ["comparison_with", "comparison_without"]],
        threshold=limit,
    )
    return {key: cells[key].export() for key in COUNT_KEYS}


def _released_outcome(outcome: dict[str, Any], released: bool, limit: int) -> dict[str, Any]:
    shown: dict[str, Any] = {"key": outcome["key"], "label": outcome["label"]}
    shown["counts"] = _suppressed_counts(outcome["counts"], limit)
    if not released or "matched" not in outcome:
        return shown
    small = any(isinstance(v, str) for v in shown["counts"].values())
    shown.update(
        naive=outcome["naive"],
        matched=None if small else outcome["matched"],
        doubly_robust=None if small else outcome["doubly_robust"],
        e_value=None if small else outcome["e_value"],
        risk_ratio_interval=None if small else outcome["risk_ratio_interval"],
        verdict=None if small else outcome["verdict"],
        verdict_text=(
            "Too few families with this outcome to show the estimate."
            if small
            else VERDICTS[outcome["verdict"]]
        ),
    )
    return shown


def latest_run(plan: EvaluationPlan) -> EvaluationRun | None:
    return plan.runs.order_by("-finished_at", "-pk").first()


def release_plan_report(
    *,
    user: Any,
    plan: EvaluationPlan,
    action: str = AuditAction.VIEW,
    request_id: str | None = None,
) -> PlanReport:
    """The plan's latest run, suppressed, if the gate permits the evaluation purpose."""
    decision = read_aggregate(
        user=user,
        purpose=PURPOSE,
        description=f"Evaluation results for {plan.reference} v{plan.version} ({plan.service_name})",
        request_id=request_id,
        action=action,
    )
    if not decision.permitted:
        raise EvaluationRefusedError(decision.reason)
    run = latest_run(plan)
    limit = threshold()
    report = PlanReport(plan=plan, run=run, threshold=limit)
    if run is not None and run.status == RunStatus.SUCCEEDED:
        report.outcomes = [
            _released_outcome(o, report.released, limit) for o in run.result.get("outcomes", [])
        ]
    return report


def plan_summary(plan: EvaluationPlan) -> dict[str, Any]:
    return {
        "reference": plan.reference,
        "version": plan.version,
        "title": plan.title,
        "service": plan.service_name,
        "treated": f"{plan.get_treatment_source_display()}: {', '.join(plan.treatment_kinds)} "
        f"recorded by {plan.treatment_agency}",
        "intake_period": [plan.intake_start.isoformat(), plan.intake_end.isoformat()],
        "children_aged": [plan.child_min_age, plan.child_max_age],
        "covariate_window_days": plan.pre_window_days,
        "covariate_window_ends": plan.covariate_anchor,
        "outcome_window_days": plan.outcome_window_days,
        "outcomes": plan.outcomes,
        "primary_outcome": plan.primary_outcome,
        "covariates": plan.covariates,
        "exact_matching": plan.exact_fields,
        "caliper_sd": plan.caliper_sd,
        "controls_per_treated": plan.controls_per_treated,
        "minimum_group_size": plan.min_group_size,
        "locked_at": plan.locked_at.isoformat() if plan.locked_at else None,
        "fingerprint": plan.fingerprint,
    }


def as_json(report: PlanReport) -> str:
    body = {
        "plan": plan_summary(report.plan),
        "run": report.run.finished_at.isoformat() if report.run else None,
        "released": report.released,
        "reasons": report.reasons,
        "suppression_threshold": report.threshold,
        "families": _suppressed_families(report),
        "balance": report.balance,
        "outcomes": report.outcomes,
    }
    return json.dumps(body, indent=2, default=str)


def _suppressed_families(report: PlanReport) -> dict[str, Any]:
    limit = report.threshold
    out: dict[str, Any] = {}
    for key, value in report.families.items():
        if isinstance(value, int):
            out[key] = value if value == 0 or value >= limit else f"<{limit}"
        elif isinstance(value, dict):
            out[key] = {k: (v if v == 0 or v >= limit else f"<{limit}") for k, v in value.items()}
    return out


def as_csv(report: PlanReport) -> str:
    """One row per outcome and estimate (naive, matched, doubly robust), then balance rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["table", "outcome", "estimate_type", "estimate", "ci_low", "ci_high",
         "rate_treated", "rate_comparison", "treated_with", "comparison_with", "verdict"]
    )  # fmt: skip
    for outcome in report.outcomes:
        counts = outcome["counts"]
        for kind in ("naive", "matched", "doubly_robust"):
            figures = outcome.get(kind)
            if not figures or figures.get("estimate") is None:
                continue
            writer.writerow(
                ["effect", outcome["key"], kind, figures["estimate"], figures["ci_low"],
                 figures["ci_high"], figures.get("rate_treated", ""),
                 figures.get("rate_comparison", ""), counts["treated_with"],
                 counts["comparison_with"], outcome.get("verdict") or ""]
            )  # fmt: skip
    writer.writerow([])
    writer.writerow(
        ["table", "covariate", "smd_before", "smd_after", "variance_ratio_before",
         "variance_ratio_after", "balanced"]
    )  # fmt: skip
    for row in report.balance:
        writer.writerow(
            ["balance", row["covariate"], row["smd_before"], row["smd_after"],
             row["variance_ratio_before"], row["variance_ratio_after"], row["balanced"]]
        )  # fmt: skip
    if not report.released:
        writer.writerow([])
        writer.writerow(["withheld", "; ".join(report.reasons)])
    return buffer.getvalue()
