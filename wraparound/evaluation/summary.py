"""A plan's answers in words, for the "Check your answers" page before it is locked."""

from __future__ import annotations

from wraparound.core.forms import Answer
from wraparound.core.labels import label
from wraparound.evaluation.catalogues import outcome_catalogue, vocabulary
from wraparound.evaluation.covariates import covariate_labels
from wraparound.evaluation.models import EvaluationPlan


def plan_answers(plan: EvaluationPlan) -> list[Answer]:
    """What locking fixes, each as a question and its answer (no codes)."""
    outcomes = {k: o.label for k, o in outcome_catalogue().items()}
    kinds = vocabulary().kinds
    covariates = covariate_labels(plan.covariates)
    ages = f"{plan.child_min_age} to {plan.child_max_age}"
    rows = [
        ("Question", plan.title),
        ("Service", plan.service_name),
        ("Who is treated", f"{plan.get_treatment_source_display()}: "
         + ", ".join(str(kinds.get(k, label(k, "event_kind"))) for k in plan.treatment_kinds)),
        ("Intake period", f"{plan.intake_start:%-d %B %Y} to {plan.intake_end:%-d %B %Y}"),
        ("Children's ages", f"A child aged {ages} at the start"),
        ("Outcomes", "; ".join(
            f"{outcomes.get(k, label(k))}{' (primary)' if k == plan.primary_outcome else ''}"
            for k in plan.outcomes)),
        ("Follow-up", f"{plan.outcome_window_days} days after the start"),
        ("Matched on", "; ".join(covariates.get(c, c) for c in plan.covariates)),
        ("Comparison families per treated family", str(plan.controls_per_treated)),
        ("Minimum group size", f"{plan.min_group_size} families in each group"),
    ]  # fmt: skip
    return [Answer(question, answer, "") for question, answer in rows]
