"""Evaluation plans, written and locked before any result, and the runs made under them.

A plan fixes the question before the data are looked at: the service, who counts as
treated, the comparison pool, the covariates and their window, the outcomes and their
windows, and the minimum group size. Once locked it cannot change: a changed question is a
new version (a new plan row that supersedes the old one), so results cannot be fished for.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models


class PlanLockedError(Exception):
    """A locked plan was about to change; make a new version instead."""


class TreatmentSource(models.TextChoices):
    SUPPORT_EVENTS = "support_events", "Started support (an event in the agency's records)"
    ACCEPTED_REFERRALS = "accepted_referrals", "Accepted referral to the service"


class CovariateAnchor(models.TextChoices):
    INTAKE_START = "intake_start", "Before the intake period (the same baseline for every family)"
    INDEX = "index", "Before each family's own start"


# Fields that make up the question; the lock's fingerprint covers exactly these.
SPEC_FIELDS = (
    "service_id",
    "service_name",
    "treatment_source",
    "treatment_agency",
    "treatment_kinds",
    "intake_start",
    "intake_end",
    "child_min_age",
    "child_max_age",
    "pre_window_days",
    "covariate_anchor",
    "outcome_window_days",
    "outcomes",
    "primary_outcome",
    "covariates",
    "exact_fields",
    "caliper_sd",
    "controls_per_treated",
    "min_group_size",
    "seed",
)


class EvaluationPlan(models.Model):
    """One version of the question asked about one service."""

    reference = models.SlugField(max_length=64)
    version = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=200)
    service = models.ForeignKey(
        "directory.Service", on_delete=models.PROTECT, related_name="evaluation_plans"
    )
    service_name = models.CharField(max_length=300)
    treatment_source = models.CharField(
        max_length=32, choices=TreatmentSource.choices, default=TreatmentSource.SUPPORT_EVENTS
    )
    treatment_agency = models.SlugField(max_length=64)
    treatment_kinds = models.JSONField(default=list)
    intake_start = models.DateField()
    intake_end = models.DateField()
    child_min_age = models.PositiveSmallIntegerField()
    child_max_age = models.PositiveSmallIntegerField()
    pre_window_days = models.PositiveIntegerField(default=365)
    covariate_anchor = models.CharField(
        max_length=16, choices=CovariateAnchor.choices, default=CovariateAnchor.INTAKE_START
    )
    outcome_window_days = models.PositiveIntegerField(default=365)
    outcomes = models.JSONField(default=list)
    primary_outcome = models.CharField(max_length=64)
    covariates = models.JSONField(default=list)
    exact_fields = models.JSONField(default=list, blank=True)
    caliper_sd = models.FloatField(default=0.2)
    controls_per_treated = models.PositiveSmallIntegerField(default=1)
    min_group_size = models.PositiveIntegerField(default=50)
    seed = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    fingerprint = models.CharField(max_length=64, blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )

    class Meta:
        ordering = ["service_name", "reference", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference", "version"], name="evaluation_plan_version_once"
            ),
            models.CheckConstraint(
                condition=models.Q(intake_end__gte=models.F("intake_start")),
                name="evaluation_plan_intake_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(child_max_age__gte=models.F("child_min_age")),
                name="evaluation_plan_ages_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(controls_per_treated__gte=1, controls_per_treated__lte=5),
                name="evaluation_plan_controls_per_treated_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(caliper_sd__gt=0, caliper_sd__lte=1),
                name="evaluation_plan_caliper_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(locked_at__isnull=True) | ~models.Q(fingerprint=""),
                name="evaluation_plan_locked_has_fingerprint",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} v{self.version}: {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Refuse any change to a plan that is already locked in the database."""
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values("locked_at").first()
            if stored and stored["locked_at"] is not None:
                raise PlanLockedError(
                    f"{self.reference} v{self.version} is locked: make a new version to change it."
                )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_locked:
            raise PlanLockedError(f"{self.reference} v{self.version} is locked and is kept.")
        return super().delete(*args, **kwargs)

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    def spec_fingerprint(self) -> str:
        """SHA-256 of the question's fields, as stored at the lock and checked at each run."""
        data: dict[str, Any] = {name: getattr(self, name) for name in SPEC_FIELDS}
        text = json.dumps(data, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


class RunStatus(models.TextChoices):
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"


class EvaluationRun(models.Model):
    """One run of a locked plan over the data as they were; the result is aggregate only."""

    plan = models.ForeignKey(EvaluationPlan, on_delete=models.PROTECT, related_name="runs")
    fingerprint = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=RunStatus.choices)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    data = models.JSONField(default=dict)
    result = models.JSONField(default=dict)
    withheld = models.BooleanField(default=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-finished_at", "-pk"]
        get_latest_by = "finished_at"

    def __str__(self) -> str:
        return f"Run {self.pk} of {self.plan}"
