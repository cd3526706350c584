"""Stored results of needs identification: runs, flags with their evidence, family profiles.

Families are keyed by the master index's stable public id ("F-...") rather than a foreign
key, so profiles survive re-matching and this app does not depend on how matching stores
families. A run is written whole or not at all; older runs are kept for the trend.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    COMPLETE = "complete", "Complete"
    FAILED = "failed", "Failed"


class NeedsRun(models.Model):
    """One computation of every family's needs profile as of a reference date."""

    reference_date = models.DateField(db_index=True)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    catalogue_checksum = models.CharField(max_length=32)
    membership_source = models.CharField(
        max_length=64,
        help_text="Where family membership came from (matching, or a labelled stand-in).",
    )
    events = models.PositiveIntegerField(default=0)
    events_attributed = models.PositiveIntegerField(default=0)
    families = models.PositiveIntegerField(default=0)
    flags = models.PositiveIntegerField(default=0)
    families_at_risk = models.PositiveIntegerField(default=0)
    families_supported = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-reference_date", "-started_at"]

    def __str__(self) -> str:
        return f"Needs run {self.pk} as of {self.reference_date} ({self.status})"


class FamilyNeedsProfile(models.Model):
    """A family's needs as of the run's reference date, and whether it is receiving support."""

    run = models.ForeignKey(NeedsRun, on_delete=models.CASCADE, related_name="profiles")
    family_public_id = models.CharField(max_length=32)
    locality = models.CharField(max_length=100, blank=True)
    agencies = models.JSONField(default=list, help_text="Agencies holding a record of a member.")
    children = models.PositiveIntegerField(default=0, help_text="Members who are children.")
    outcome_count = models.PositiveSmallIntegerField(default=0)
    max_level = models.PositiveSmallIntegerField(default=0)
    outcomes = models.JSONField(default=list)
    outcome_levels = models.JSONField(
        default=dict, help_text="Outcome key -> highest level flagged."
    )
    at_risk = models.BooleanField(default=False)
    supported = models.BooleanField(default=False)
    early_help = models.BooleanField(default=False)
    support_since = models.DateField(null=True, blank=True)
    support_kinds = models.JSONField(default=list)

    class Meta:
        ordering = ["family_public_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "family_public_id"], name="one_profile_per_family_per_run"
            ),
            models.CheckConstraint(
                condition=models.Q(max_level__lte=4), name="profile_level_on_continuum"
            ),
        ]
        indexes = [
            models.Index(fields=["run", "at_risk", "supported"], name="needs_profile_targeting"),
            models.Index(fields=["run", "locality"], name="needs_profile_locality"),
        ]

    def __str__(self) -> str:
        return f"Needs profile of {self.family_public_id} (run {self.run_id})"


class NeedFlag(models.Model):
    """One indicator met by one family, with the events that met it (the explanation)."""

    run = models.ForeignKey(NeedsRun, on_delete=models.CASCADE, related_name="flag_rows")
    family_public_id = models.CharField(max_length=32)
    outcome = models.CharField(max_length=40)
    indicator_key = models.CharField(max_length=64)
    level = models.PositiveSmallIntegerField()
    event_count = models.PositiveIntegerField()
    first_evidence_date = models.DateField()
    last_evidence_date = models.DateField()
    agencies = models.JSONField(default=list)
    evidence = models.JSONField(
        default=list,
        help_text="The events that met the rule: event_key, agency_slug, kind, event_date.",
    )

    class Meta:
        ordering = ["family_public_id", "outcome", "indicator_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "family_public_id", "indicator_key"],
                name="one_flag_per_indicator_per_family",
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=4), name="flag_level_on_continuum"
            ),
        ]
        indexes = [models.Index(fields=["run", "family_public_id"], name="needs_flag_family")]

    def __str__(self) -> str:
        return f"{self.indicator_key} for {self.family_public_id} (level {self.level})"
