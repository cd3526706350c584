"""The one shared early help assessment and the family plan that answers it.

Imported by ``casework.models`` (Django finds the models there). Foreign keys to the case
are by name so this module does not import ``models``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from wraparound.core.models import Agency


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    COMPLETED = "completed", "Completed, awaiting sign-off"
    SIGNED_OFF = "signed_off", "Signed off by a manager"


class Assessment(models.Model):
    """The early help assessment: per outcome area, worries, strengths and what must happen.

    Started on ``started_on``; due 45 working days later (``due_on``). Completing it after
    ``due_on`` needs ``late_reason``.
    """

    case = models.ForeignKey("casework.FamilyCase", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    started_on = models.DateField(default=timezone.localdate)
    due_on = models.DateField()
    child_words = models.TextField(blank=True, help_text="The child's own words.")
    parents_words = models.TextField(blank=True, help_text="The parents' or carers' own words.")
    consent_given_by = models.CharField(max_length=200, blank=True)
    consent_recorded = models.ForeignKey(
        "sharing.ConsentRecord", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_on = models.DateField(null=True, blank=True)
    late_reason = models.TextField(blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(completed_on__isnull=False),
                name="completed_assessment_has_a_completion_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="signed_off") | Q(signed_off_by__isnull=False),
                name="signed_off_assessment_names_the_manager",
            ),
        ]

    def __str__(self) -> str:
        return f"Assessment {self.pk} ({self.status})"


class AssessmentArea(models.Model):
    """One outcome area of the assessment (an outcome key from ``core/catalogues/outcomes.yaml``)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="areas")
    outcome = models.CharField(max_length=32)
    worries = models.TextField(blank=True, help_text="What are we worried about?")
    working_well = models.TextField(blank=True, help_text="What is working well?")
    needs_to_happen = models.TextField(blank=True, help_text="What needs to happen?")
    is_need = models.BooleanField(default=False, help_text="An identified need the plan answers.")

    class Meta:
        ordering = ["outcome"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "outcome"], name="one_area_per_outcome_per_assessment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.outcome} in assessment {self.assessment_id}"


class FamilyPlan(models.Model):
    """The family's plan; each change is kept as a ``PlanVersion`` snapshot."""

    case = models.OneToOneField(
        "casework.FamilyCase", on_delete=models.PROTECT, related_name="plan"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Plan for case {self.case_id} (v{self.version})"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "No longer needed"


OPEN_ACTION_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


class PlanAction(models.Model):
    """A SMART action: linked to a need (outcome area), owned by a person of an agency."""

    plan = models.ForeignKey(FamilyPlan, on_delete=models.PROTECT, related_name="actions")
    outcome = models.CharField(max_length=32, help_text="The need or assessment area it answers.")
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plan_actions"
    )
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(
        max_length=16, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    progress_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"Action {self.pk}: {self.description[:40]}"


class PlanVersion(models.Model):
    """The plan as it stood after one change: who, when, what, and the whole plan as JSON."""

    plan = models.ForeignKey(FamilyPlan, on_delete=models.CASCADE, related_name="plan_versions")
    number = models.PositiveIntegerField()
    change = models.CharField(max_length=300)
    snapshot = models.JSONField()
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_numbers_unique")
        ]

    def __str__(self) -> str:
        return f"Plan {self.plan_id} v{self.number}: {self.change}"


class ReviewMeeting(models.Model):
    """A team-around-the-family review: who came, what was decided, when the next one is."""

    plan = models.ForeignKey(FamilyPlan, on_delete=models.PROTECT, related_name="plan_reviews")
    held_on = models.DateField()
    attendees = models.TextField(help_text="One attendee per line: name, agency or family role.")
    decisions = models.TextField()
    next_review_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"Review of plan {self.plan_id} on {self.held_on}"
