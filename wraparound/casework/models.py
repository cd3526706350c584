"""Working together on a family: the case, its lead and team, notes, transfers and closures.

The assessment and the family plan live in ``plan_models`` (re-exported here). Every row is
personal data about a family: read it only through ``wraparound.casework.workspace``, which
passes it through the sharing gate. Families are keyed by the master index's public id
(as in ``sharing``), so casework outlives re-matching.

Editable records carry ``version``: a save names the version it started from and is refused
when someone else saved in between (``wraparound.casework.concurrency``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from wraparound.core.models import Agency


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ServiceLevel(models.TextChoices):
    EARLY_HELP = "early_help", "Early help"
    STATUTORY = "statutory", "Statutory social care"


class FamilyCase(models.Model):
    """A family's episode of work together; open cases always have exactly one lead.

    The lead is a single non-null column while the case is open (a database constraint), so
    "exactly one lead" cannot be broken by any code path, and one open case per family.
    """

    family_public_id = models.CharField(max_length=32, db_index=True)
    status = models.CharField(max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    service_level = models.CharField(
        max_length=16, choices=ServiceLevel.choices, default=ServiceLevel.EARLY_HELP
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_led",
    )
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="cases_led")
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["family_public_id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="open") | Q(lead__isnull=False),
                name="open_case_has_a_lead_practitioner",
            ),
            models.UniqueConstraint(
                fields=["family_public_id"],
                condition=Q(status="open"),
                name="one_open_case_per_family",
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk} for family {self.family_public_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN


class TeamMember(models.Model):
    """A worker in the team around the family; the membership IS the sharing relationship."""

    case = models.ForeignKey(FamilyCase, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="taf_memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=100)
    joined_on = models.DateField(default=timezone.localdate)
    left_on = models.DateField(null=True, blank=True)
    relationship = models.OneToOneField(
        "sharing.CareRelationship", on_delete=models.PROTECT, related_name="taf_member"
    )

    class Meta:
        ordering = ["joined_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"],
                condition=Q(left_on__isnull=True),
                name="one_current_membership_per_worker",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in case {self.case_id}"

    @property
    def is_current(self) -> bool:
        return self.left_on is None


class CaseHistory(models.Model):
    """An append-only line of what happened to the case (opened, lead changed, closed...)."""

    case = models.ForeignKey(FamilyCase, on_delete=models.PROTECT, related_name="history")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=300)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return self.what


class CaseClosure(models.Model):
    """A closure with its coded reason; reopening fills ``reopened_*`` and keeps the row."""

    case = models.ForeignKey(FamilyCase, on_delete=models.PROTECT, related_name="closures")
    reason = models.CharField(max_length=32, help_text="A code from closure_reasons.yaml.")
    note = models.TextField(blank=True)
    closed_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lead_at_closure = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reopen_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-closed_at", "-pk"]

    def __str__(self) -> str:
        return f"Closure of case {self.case_id}: {self.reason}"


class CaseNote(models.Model):
    """A case note; never edited or deleted. Its category lets agreements decide who reads it."""

    case = models.ForeignKey(FamilyCase, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=32, help_text="A code from data_categories.yaml.")
    body = models.TextField()
    occurred_on = models.DateField(default=timezone.localdate)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_on", "-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"Note {self.pk} ({self.category}) on case {self.case_id}"


class NoteAmendment(models.Model):
    """A correction appended to a note, with the reason: the original stays as written."""

    note = models.ForeignKey(CaseNote, on_delete=models.PROTECT, related_name="amendments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    reason = models.CharField(max_length=300)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"Amendment {self.pk} to note {self.note_id}"


class TransferDirection(models.TextChoices):
    STEP_UP = "step_up", "Step up to statutory social care"
    STEP_DOWN = "step_down", "Step down to early help"


class TransferStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the receiving team"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class CaseTransfer(models.Model):
    """Step up or step down: the pack travels; the current lead stays responsible until accept."""

    case = models.ForeignKey(FamilyCase, on_delete=models.PROTECT, related_name="transfers")
    direction = models.CharField(max_length=16, choices=TransferDirection.choices)
    status = models.CharField(
        max_length=16, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    reason = models.TextField()
    from_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    to_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="transfers_in")
    to_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pack = models.JSONField(default=dict, help_text="Assessment, plan and chronology as sent.")
    receiving_relationship = models.OneToOneField(
        "sharing.CareRelationship",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfer",
    )
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    response_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="pending"),
                name="one_pending_transfer_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} of case {self.case_id} ({self.status})"


class ReminderSent(models.Model):
    """That the casework clock has told people about one thing, so it tells them once.

    ``ref`` names the thing and the clock it ran on (``action:12:2026-12-01`` for action 12
    due on that date), so a new due date is a new reminder. Ids and dates only.
    """

    kind = models.CharField(max_length=40)
    ref = models.CharField(max_length=100)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "ref"], name="one_reminder_per_clock")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ref}"


from wraparound.casework.plan_models import (  # noqa: E402  (re-exported for Django)
    ActionStatus,
    Assessment,
    AssessmentArea,
    AssessmentStatus,
    FamilyPlan,
    PlanAction,
    PlanVersion,
    ReviewMeeting,
)

__all__ = [
    "ActionStatus",
    "Assessment",
    "AssessmentArea",
    "AssessmentStatus",
    "CaseClosure",
    "CaseHistory",
    "CaseNote",
    "CaseStatus",
    "CaseTransfer",
    "FamilyCase",
    "FamilyPlan",
    "NoteAmendment",
    "PlanAction",
    "PlanVersion",
    "ReminderSent",
    "ReviewMeeting",
    "ServiceLevel",
    "TeamMember",
    "TransferDirection",
    "TransferStatus",
]
