"""A family's baseline of needs, its progress reviews, outcomes decisions and claims.

Families are keyed by the master index's public id ("F-...") as in the needs app, so this app
stands on its own data; links to casework (assessment, plan, closure) are optional references
filled when casework records exist. Every row here is personal data about a named family and
is read through ``wraparound.outcomes.selectors`` (the sharing gate), never directly.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from wraparound.core.models import Agency
from wraparound.outcomes.rules import ProgressStatus, ProposedStatus


class Baseline(models.Model):
    """The family's needs fixed at engagement (an assessment or the first plan), with evidence."""

    family_public_id = models.CharField(max_length=32, db_index=True)
    framework_version = models.CharField(max_length=32)
    engaged_on = models.DateField()
    fixed_at = models.DateTimeField(default=timezone.now)
    fixed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    service = models.CharField(
        max_length=120, blank=True, help_text="The service delivering support."
    )
    locality = models.CharField(max_length=100, blank=True)
    casework_ref = models.CharField(
        max_length=64, blank=True, help_text="The casework assessment or plan it was fixed from."
    )
    support_ended_on = models.DateField(null=True, blank=True)
    closure_ref = models.CharField(max_length=64, blank=True)
    # Optional links to casework's records, when the family is worked through casework.
    assessment = models.ForeignKey(
        "casework.Assessment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    case_closure = models.ForeignKey(
        "casework.CaseClosure", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-engaged_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["family_public_id", "engaged_on"], name="one_baseline_per_engagement"
            ),
            models.CheckConstraint(
                condition=models.Q(support_ended_on__isnull=True)
                | models.Q(support_ended_on__gte=models.F("engaged_on")),
                name="support_ends_after_engagement",
            ),
        ]

    def __str__(self) -> str:
        return f"Baseline of {self.family_public_id} from {self.engaged_on}"


class BaselineNeed(models.Model):
    """One need in the baseline: a framework descriptor, with the needs flags that evidenced it."""

    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="baseline_needs")
    outcome = models.CharField(max_length=40)
    descriptor = models.CharField(max_length=64)
    level = models.PositiveSmallIntegerField(default=1)
    indicators = models.JSONField(default=list)
    evidence = models.JSONField(
        default=list, help_text="Pointers: event_key, agency_slug, kind, event_date."
    )

    class Meta:
        ordering = ["outcome", "descriptor"]
        constraints = [
            models.UniqueConstraint(
                fields=["baseline", "descriptor"], name="one_need_per_descriptor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.descriptor} ({self.baseline.family_public_id})"


class ProgressReview(models.Model):
    """A progress review (TAF review) at which each baseline need's status is recorded."""

    baseline = models.ForeignKey(
        Baseline, on_delete=models.CASCADE, related_name="progress_reviews"
    )
    reviewed_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    casework_ref = models.CharField(max_length=64, blank=True)
    review_meeting = models.ForeignKey(
        "casework.ReviewMeeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["reviewed_on", "pk"]

    def __str__(self) -> str:
        return f"Review of {self.baseline.family_public_id} on {self.reviewed_on}"


class NeedProgress(models.Model):
    """The practitioner's status for one need at one review, beside what the data proposed."""

    review = models.ForeignKey(
        ProgressReview, on_delete=models.CASCADE, related_name="need_statuses"
    )
    need = models.ForeignKey(
        BaselineNeed, on_delete=models.CASCADE, related_name="progress_statuses"
    )
    status = models.CharField(max_length=16, choices=[(s.value, s.label) for s in ProgressStatus])
    evidence = models.TextField(help_text="What the practitioner relied on.")
    proposed_status = models.CharField(max_length=16, blank=True)
    proposal_reason = models.TextField(blank=True)
    proposal_quiet = models.BooleanField(
        default=False,
        help_text="The data showed no concern event in the quiet period up to the review, so "
        "they did not contradict a status of met even when they could not confirm it.",
    )
    records_read = models.JSONField(
        default=list, help_text="The records the proposal read: event_key, agency, kind, date."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "need"], name="one_status_per_need_per_review"
            )
        ]

    def __str__(self) -> str:
        return f"{self.need.descriptor}: {self.status}"

    @property
    def differing_proposal(self) -> str:
        """What the data said, in words, where it differs from the practitioner's status."""
        if not self.proposed_status or self.proposed_status == self.status:
            return ""
        proposed = ProposedStatus(self.proposed_status)
        if proposed == ProposedStatus.CANNOT_TELL:
            return "the data could not tell yet"
        return f"data proposed {proposed.label.lower()}"


class ToolScore(models.Model):
    """A score from a licensed tool (e.g. an Outcomes Star) entered by a licensed practitioner.

    Only the number is kept, against the area name the practitioner typed: the tool's scales
    and wording are the licensor's and are not reproduced here.
    """

    review = models.ForeignKey(ProgressReview, on_delete=models.CASCADE, related_name="tool_scores")
    tool = models.CharField(max_length=80)
    area = models.CharField(max_length=80)
    score = models.DecimalField(max_digits=5, decimal_places=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "tool", "area"], name="one_score_per_area")
        ]

    def __str__(self) -> str:
        return f"{self.tool} {self.area}: {self.score}"


class EquivalentProgress(models.Model):
    """A decision that the family made progress equivalent to the framework's.

    Recorded (with the reason) by the practitioner, then approved by a team manager who is
    someone else; it counts towards an outcome only once approved.
    """

    baseline = models.OneToOneField(Baseline, on_delete=models.CASCADE, related_name="equivalent")
    reason = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(recorded_by=models.F("approved_by")),
                name="equivalent_progress_approved_by_another",
            ),
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True, approved_at__isnull=True)
                | models.Q(approved_by__isnull=False, approved_at__isnull=False),
                name="equivalent_progress_approval_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Equivalent progress for {self.baseline.family_public_id}"

    @property
    def approved(self) -> bool:
        return self.approved_by_id is not None


class ClaimStatus(models.TextChoices):
    CANDIDATE = "candidate", "Candidate"
    VALIDATED = "validated", "Validated"
    SAMPLED = "sampled", "Sampled for internal audit"
    SUBMITTED = "submitted", "Submitted"
    REJECTED = "rejected", "Rejected"


class Claim(models.Model):
    """A payment-by-results claim for one family's outcome, with its frozen evidence pack."""

    baseline = models.OneToOneField(Baseline, on_delete=models.PROTECT, related_name="claim")
    family_public_id = models.CharField(max_length=32)
    period = models.CharField(max_length=8, help_text="The claim quarter, e.g. 2026-Q3.")
    status = models.CharField(
        max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.CANDIDATE
    )
    basis = models.CharField(max_length=24)
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    evidence_pack = models.JSONField()
    pack_hash = models.CharField(max_length=64)
    audit_sequence = models.BigIntegerField(help_text="The audit chain entry that sealed the pack.")
    audit_entry_hash = models.CharField(max_length=64)
    audit_answers = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["family_public_id", "period"], name="one_claim_per_family_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"Claim {self.pk} for {self.family_public_id} ({self.period}, {self.status})"


class ClaimTransition(models.Model):
    """One step of a claim through the pipeline: who moved it, when, and why."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="claim_transitions")
    from_status = models.CharField(max_length=16)
    to_status = models.CharField(max_length=16)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"Claim {self.claim_id}: {self.from_status} -> {self.to_status}"
