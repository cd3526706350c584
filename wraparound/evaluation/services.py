"""Writes: draft a plan, lock it, make a new version, run a locked plan.

Each is one business action in one transaction. Running reads personal data (events and
linked families) only inside the pipeline and keeps only aggregates; the run itself is an
aggregate use of the partnership's data, so it goes through the sharing gate for the
evaluation purpose and is refused, and audited, without an agreement that lists it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from wraparound.evaluation import sources
from wraparound.evaluation.catalogues import outcome_catalogue, vocabulary
from wraparound.evaluation.models import (
    SPEC_FIELDS,
    EvaluationPlan,
    EvaluationRun,
    PlanLockedError,
    RunStatus,
    TreatmentSource,
)
from wraparound.evaluation.pipeline import DesignError, OutcomeSpec, PlanSpec, evaluate
from wraparound.sharing.gate import read_aggregate
from wraparound.sharing.models import AuditAction

PURPOSE = "service_evaluation_aggregate"
DEFAULT_COVARIATES = (
    "prior_events",
    "prior_agency:*",
    "prior_outcome_areas",
    "prior_statutory_plan",
    "children",
    "youngest_child_age",
    "oldest_child_age",
    "deprivation",
    "locality:*",
)


class EvaluationRefusedError(Exception):
    """The sharing gate refused the evaluation purpose; the message says why."""


class PlanNotLockedError(Exception):
    """Results come only from a locked plan."""


@dataclass(frozen=True)
class RunInputs:
    """The pipeline's tables, and where they came from (kept with the run)."""

    events: Any
    membership: Any
    deprivation: Any
    membership_source: str


def _unique_reference(title: str) -> str:
    base = slugify(title)[:50] or "plan"
    reference, n = base, 1
    while EvaluationPlan.objects.filter(reference=reference).exists():
        n += 1
        reference = f"{base}-{n}"
    return reference


@transaction.atomic
def create_plan(*, user: Any, **fields: Any) -> EvaluationPlan:
    """A draft plan; ``fields`` are the model's question fields plus title and service."""
    fields.setdefault("service_name", fields["service"].name)
    fields.setdefault("covariates", list(DEFAULT_COVARIATES))
    _check_outcomes(fields["outcomes"], fields["primary_outcome"])
    plan = EvaluationPlan(
        reference=fields.pop("reference", None) or _unique_reference(fields["title"]),
        created_by=user if getattr(user, "pk", None) else None,
        **fields,
    )
    plan.full_clean()
    plan.save()
    return plan


def _check_outcomes(outcomes: list[str], primary: str) -> None:
    known = outcome_catalogue()
    unknown = [o for o in outcomes if o not in known]
    if unknown:
        raise DesignError(f"Unknown outcomes: {', '.join(unknown)}.")
    if primary not in outcomes:
        raise DesignError("The primary outcome must be one of the plan's outcomes.")


@transaction.atomic
def lock_plan(*, user: Any, plan: EvaluationPlan, now: dt.datetime | None = None) -> EvaluationPlan:
    """Freeze the question: from now on it can only be run, or replaced by a new version."""
    fresh = EvaluationPlan.objects.select_for_update().get(pk=plan.pk)
    if fresh.is_locked:
        raise PlanLockedError(f"{fresh.reference} v{fresh.version} is already locked.")
    EvaluationPlan.objects.filter(pk=plan.pk).update(
        locked_at=now or timezone.now(),
        locked_by=user if getattr(user, "pk", None) else None,
        fingerprint=fresh.spec_fingerprint(),
    )
    return EvaluationPlan.objects.get(pk=plan.pk)


@transaction.atomic
def new_version(*, user: Any, plan: EvaluationPlan, **changes: Any) -> EvaluationPlan:
    """A new draft plan that supersedes ``plan`` (which stays, locked, with its runs)."""
    if not plan.is_locked:
        raise DesignError("Edit the draft itself; only a locked plan needs a new version.")
    if hasattr(plan, "superseded_by"):
        raise DesignError(f"{plan.reference} v{plan.version} already has a newer version.")
    fields = {
        name.removesuffix("_id"): getattr(plan, name.removesuffix("_id")) for name in SPEC_FIELDS
    }
    fields.update(title=plan.title, **changes)
    _check_outcomes(fields["outcomes"], fields["primary_outcome"])
    latest = EvaluationPlan.objects.filter(reference=plan.reference).order_by("-version").first()
    successor = EvaluationPlan(
        reference=plan.reference,
        version=(latest.version if latest else plan.version) + 1,
        supersedes=plan,
        created_by=user if getattr(user, "pk", None) else None,
        **fields,
    )
    successor.full_clean()
    successor.save()
    return successor


def plan_spec(plan: EvaluationPlan) -> PlanSpec:
    """The pipeline's view of a plan (no Django objects)."""
    catalogue = outcome_catalogue()
    outcomes = tuple(
        OutcomeSpec(
            key=key,
            label=catalogue[key].label,
            kinds=catalogue[key].kinds,
            agencies=catalogue[key].agencies,
            window_days=plan.outcome_window_days,
        )
        for key in sorted(plan.outcomes, key=lambda k: (k != plan.primary_outcome, k))
    )
    return PlanSpec(
        treatment_agency=plan.treatment_agency,
        treatment_kinds=tuple(plan.treatment_kinds),
        intake_start=plan.intake_start,
        intake_end=plan.intake_end,
        child_min_age=plan.child_min_age,
        child_max_age=plan.child_max_age,
        pre_window_days=plan.pre_window_days,
        covariate_anchor=plan.covariate_anchor,
        outcomes=outcomes,
        covariates=tuple(plan.covariates),
        exact_fields=tuple(plan.exact_fields),
        caliper_sd=plan.caliper_sd,
        ratio=plan.controls_per_treated,
        min_group_size=plan.min_group_size,
        seed=plan.seed,
        outcome_areas=vocabulary().areas,
    )


def load_inputs() -> RunInputs:
    """Events, linked families and deprivation from the records and matching apps."""
    events = sources.events_frame()
    membership = sources.membership_frame()
    return RunInputs(
        events=events,
        membership=membership,
        deprivation=sources.deprivation_frame(membership),
        membership_source="matching",
    )


def run_plan(
    *,
    user: Any,
    plan: EvaluationPlan,
    inputs: RunInputs | None = None,
    progress: Callable[[str], None] | None = None,
    request_id: str | None = None,
) -> EvaluationRun:
    """Run a locked plan; the result is stored whether it is released or withheld."""
    if not plan.is_locked:
        raise PlanNotLockedError(
            f"{plan.reference} v{plan.version} is a draft: lock it before the first run, so "
            "the question is fixed before any result is seen."
        )
    if plan.spec_fingerprint() != plan.fingerprint:
        raise PlanLockedError(
            f"{plan.reference} v{plan.version} no longer matches the fingerprint taken when it "
            "was locked; it has been altered outside Wraparound and will not be run."
        )
    decision = read_aggregate(
        user=user,
        purpose=PURPOSE,
        description=f"Evaluation run of {plan.reference} v{plan.version} ({plan.service_name})",
        categories=sorted(_categories()),
        request_id=request_id,
        action=AuditAction.EXPORT,
    )
    if not decision.permitted:
        raise EvaluationRefusedError(decision.reason)
    started = timezone.now()
    starts = None
    if plan.treatment_source == TreatmentSource.ACCEPTED_REFERRALS:
        starts = sources.accepted_referral_starts(plan.service_id)
    inputs = inputs or load_inputs()
    last_event = inputs.events["event_date"].max() if inputs.events.height else None
    data = {
        "events": inputs.events.height,
        "records_linked": inputs.membership.height,
        "membership": inputs.membership_source,
        "last_event_date": str(last_event) if last_event else None,
        "agreement": decision.agreement,
    }
    try:
        result = evaluate(
            inputs.events,
            inputs.membership,
            inputs.deprivation,
            plan_spec(plan),
            progress=progress,
            last_event_date=last_event,
            starts=starts,
        )
    except DesignError as error:
        return EvaluationRun.objects.create(
            plan=plan, fingerprint=plan.fingerprint, started_at=started,
            finished_at=timezone.now(), status=RunStatus.FAILED, run_by=_user(user),
            data=data, error=str(error), withheld=True,
        )  # fmt: skip
    return EvaluationRun.objects.create(
        plan=plan, fingerprint=plan.fingerprint, started_at=started, finished_at=timezone.now(),
        status=RunStatus.SUCCEEDED, run_by=_user(user), data=data, result=result,
        withheld=bool(result["withheld"]),
    )  # fmt: skip


def _user(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def _categories() -> set[str]:
    """Data categories the evaluation reads: those of every kind the vocabulary knows."""
    from wraparound.records.vocabulary import kind_categories

    return set(kind_categories().values())


def plan_from_entry(*, user: Any, entry: dict[str, Any], as_of: dt.date) -> EvaluationPlan:
    """A draft plan from a catalogue entry (demo_plans.yaml shape), dates relative to as_of."""
    from wraparound.directory.models import Service

    service = Service.objects.filter(name=entry["directory_service"]).order_by("name", "id").first()
    if service is None:
        raise DesignError(
            f"The directory has no service called {entry['directory_service']!r}: load the "
            "directory first."
        )
    start = as_of - dt.timedelta(days=int(entry["intake_days_before_as_of"]))
    return create_plan(
        user=user,
        title=entry["title"],
        service=service,
        treatment_source=entry.get("treatment_source", TreatmentSource.SUPPORT_EVENTS),
        treatment_agency=entry["treatment_agency"],
        treatment_kinds=list(entry["treatment_kinds"]),
        intake_start=start,
        intake_end=start + dt.timedelta(days=int(entry["intake_days"]) - 1),
        child_min_age=int(entry["child_ages"][0]),
        child_max_age=int(entry["child_ages"][1]),
        pre_window_days=int(entry["pre_window_days"]),
        covariate_anchor=entry.get("covariate_anchor", "intake_start"),
        outcome_window_days=int(entry["outcome_window_days"]),
        outcomes=list(entry["outcomes"]),
        primary_outcome=entry["primary_outcome"],
        exact_fields=list(entry.get("exact_fields", [])),
        covariates=list(entry.get("covariates", DEFAULT_COVARIATES)),
        reference=entry.get("reference"),
        controls_per_treated=int(entry.get("controls_per_treated", 1)),
        min_group_size=int(entry.get("min_group_size", 50)),
    )
