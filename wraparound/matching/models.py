"""The master index: people and families built from agencies' records (contract C3).

Other capabilities refer to people and families by ``public_id`` ("P-..." / "F-..."), which
survives re-runs of linkage and new extracts, so casework, sharing and needs never hold a
foreign key that re-matching could break. Records are referred to by ``record_key`` (the
records app's "<agency>:<dataset>:<source id>"), which survives re-imports of an extract.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

PUBLIC_ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone


def new_public_id(prefix: str) -> str:
    """ "P-7KQ2M9XD"-style id: random, so it reveals nothing about the person or order."""
    return prefix + "-" + "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(8))


class LinkageRun(models.Model):
    """One run of `wraparound link`: what it read, what it decided, how long it took."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        COMPLETE = "complete", "Complete"
        FAILED = "failed", "Failed"

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    incremental = models.BooleanField(default=False)
    backend = models.CharField(max_length=16, default="duckdb")
    model_path = models.CharField(max_length=500, blank=True)
    records = models.PositiveIntegerField(default=0)
    people = models.PositiveIntegerField(default=0)
    families = models.PositiveIntegerField(default=0)
    comparisons = models.BigIntegerField(default=0)
    pairs_auto_accepted = models.PositiveIntegerField(default=0)
    pairs_for_review = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Linkage run {self.pk} ({self.status})"


class Person(models.Model):
    """One real person: the cluster of agencies' records that refer to them."""

    public_id = models.CharField(max_length=16, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )

    class Meta:
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.public_id


class PersonRecordLink(models.Model):
    """A source record belongs to a person, with how sure we are and why."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="links")
    record_key = models.CharField(max_length=200, unique=True)
    match_probability = models.FloatField(null=True, blank=True)
    why = models.JSONField(default=dict, blank=True)
    run = models.ForeignKey(LinkageRun, null=True, blank=True, on_delete=models.SET_NULL)
    linked_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.record_key} -> {self.person_id}"


class Family(models.Model):
    """People who live or are cared for together, as agencies have recorded them."""

    public_id = models.CharField(max_length=16, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "families"

    def __str__(self) -> str:
        return self.public_id


class FamilyMembership(models.Model):
    """A person's place in a family over a period (``to`` null: still a member)."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, default="adult")  # child | adult
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    evidence = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["family", "person"], name="one_membership_per_family")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.family_id} ({self.role})"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    DECIDED = "decided", "Decided"
    OBSOLETE = "obsolete", "No longer relevant"


class Verdict(models.TextChoices):
    SAME = "same", "Same person"
    DIFFERENT = "different", "Different people"
    UNSURE = "unsure", "Not sure"


class ReviewPair(models.Model):
    """Two records the model could not decide on, waiting for a data analyst."""

    record_key_l = models.CharField(max_length=200)
    record_key_r = models.CharField(max_length=200)
    match_probability = models.FloatField()
    why = models.JSONField(default=dict, blank=True)
    run = models.ForeignKey(LinkageRun, null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(
        max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-match_probability", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["record_key_l", "record_key_r"], name="one_review_per_pair"
            ),
            models.CheckConstraint(
                condition=models.Q(record_key_l__lt=models.F("record_key_r")),
                name="review_pair_keys_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_key_l} ~ {self.record_key_r}"


class PairDecision(models.Model):
    """A person's ruling on two records; the latest per pair binds every later run."""

    record_key_l = models.CharField(max_length=200)
    record_key_r = models.CharField(max_length=200)
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        indexes = [models.Index(fields=["record_key_l", "record_key_r"])]

    def __str__(self) -> str:
        return f"{self.record_key_l} {self.verdict} {self.record_key_r}"


class IndexChange(models.Model):
    """History of manual changes to the index (merge, split), for audit and undo."""

    class Kind(models.TextChoices):
        MERGE = "merge", "Merge"
        SPLIT = "split", "Split"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    detail = models.JSONField(default=dict)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"


class IndexVersion(models.Model):
    """One row: how many times the index has been written (see ``index_version.py``)."""

    number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Index version {self.number}"
