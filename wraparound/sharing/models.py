"""Sharing agreements, consent, legitimate relationships, break-glass and the audit trail.

Subjects (families and people) are keyed by the master index's stable public ids
("F-..." / "P-...") rather than foreign keys, so governance records outlive re-matching and
this app does not depend on how matching stores people.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from wraparound.core.models import Agency, Role


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved by every party"
    SUSPENDED = "suspended", "Suspended"
    EXPIRED = "expired", "Expired"


class DataSubject(models.TextChoices):
    CHILD = "child", "Children"
    PARENT = "parent", "Parents and carers"
    HOUSEHOLD_MEMBER = "household_member", "Other household members"


class SharingAgreement(models.Model):
    """An information-sharing agreement (ICO data sharing code) held as data the policy reads."""

    reference = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    purpose_statement = models.TextField(help_text="The precise purpose, in plain English.")
    purposes = models.JSONField(default=list, help_text="Purpose codes from purposes.yaml.")
    data_subjects = models.JSONField(default=list)
    consent_required = models.BooleanField(default=False)
    no_consent_conditions = models.JSONField(
        default=list, help_text="Conditions under which a recorded decision may replace consent."
    )
    retention = models.CharField(max_length=200)
    dpia_reference = models.CharField(max_length=100, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    review_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    status_reason = models.TextField(blank=True)
    # Suppression by audience, for an agreement covering an aggregate purpose: the named
    # internal operational roles see counts down to this threshold on the service's pages;
    # exports and anything leaving the partnership keep publication-grade suppression
    # (settings.SUPPRESSION_THRESHOLD). Blank: publication suppression everywhere.
    operational_suppression_threshold = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Counts below this are hidden from the operational roles named (2 or more).",
    )
    operational_roles = models.JSONField(
        default=list, blank=True, help_text="Roles that see figures at the operational threshold."
    )
    version = models.PositiveIntegerField(default=1)
    revision = models.PositiveIntegerField(
        default=1, help_text="Bumped on every saved change, so a stale edit can be refused."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(operational_suppression_threshold__isnull=True)
                | models.Q(operational_suppression_threshold__gte=2),
                name="operational_suppression_threshold_at_least_2",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title} (v{self.version})"

    def in_date(self, on: dt.date) -> bool:
        return self.start_date <= on and (self.end_date is None or on <= self.end_date)

    @property
    def effective_status(self) -> str:
        """The status as the policy sees it today: an approved agreement past its end is expired."""
        if self.status == AgreementStatus.APPROVED and not self.in_date(timezone.localdate()):
            if self.end_date and timezone.localdate() > self.end_date:
                return AgreementStatus.EXPIRED
            return "not_yet_in_force"
        return self.status


class PartyRole(models.TextChoices):
    CONTROLLER = "controller", "Controller"
    JOINT_CONTROLLER = "joint_controller", "Joint controller"


class AgreementParty(models.Model):
    """One agency's part in an agreement: its lawful basis and its IG officer's approval."""

    agreement = models.ForeignKey(
        SharingAgreement, on_delete=models.CASCADE, related_name="parties"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="agreement_parties")
    role = models.CharField(max_length=20, choices=PartyRole.choices, default=PartyRole.CONTROLLER)
    lawful_bases = models.JSONField(default=list, help_text="Codes from lawful_bases.yaml.")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "agency"], name="one_party_row_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.agency} in {self.agreement.reference}"

    @property
    def has_approved_current_version(self) -> bool:
        return self.approved_version == self.agreement.version


class SharedCategory(models.Model):
    """A category of data one providing party shares with the other parties under an agreement."""

    agreement = models.ForeignKey(
        SharingAgreement, on_delete=models.CASCADE, related_name="shared_categories"
    )
    providing_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=32)

    class Meta:
        ordering = ["providing_agency__name", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "providing_agency", "category"],
                name="category_listed_once_per_provider",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} from agency {self.providing_agency_id}"


class AgreementVersion(models.Model):
    """A frozen copy of an agreement as it stood, kept whenever it is approved or revised."""

    agreement = models.ForeignKey(
        SharingAgreement, on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    note = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agreement", "version", "recorded_at"]

    def __str__(self) -> str:
        return f"agreement {self.agreement_id} v{self.version}: {self.note}"


class ConsentDecision(models.TextChoices):
    GIVEN = "given", "Consent given"
    REFUSED = "refused", "Consent refused"
    WITHDRAWN = "withdrawn", "Consent withdrawn"
    NOT_SOUGHT = "not_sought", "Shared without consent under a recorded condition"


class ConsentMethod(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "By telephone"
    WRITTEN = "written", "In writing (letter, form or email)"
    NOT_APPLICABLE = "not_applicable", "Not applicable (shared without consent)"


class ConsentRecord(models.Model):
    """A consent decision for a family or person; the latest one in scope is the one that counts."""

    family_public_id = models.CharField(max_length=32, db_index=True)
    person_public_id = models.CharField(max_length=32, blank=True, db_index=True)
    decision = models.CharField(max_length=16, choices=ConsentDecision.choices)
    no_consent_condition = models.CharField(max_length=40, blank=True)
    agreement = models.ForeignKey(
        SharingAgreement, on_delete=models.PROTECT, null=True, blank=True, related_name="consents"
    )
    categories = models.JSONField(default=list, blank=True, help_text="Empty: every category.")
    purposes = models.JSONField(default=list, blank=True, help_text="Empty: every purpose.")
    given_by = models.CharField(max_length=200, blank=True, help_text="Who gave or refused it.")
    method = models.CharField(
        max_length=16, choices=ConsentMethod.choices, blank=True, help_text="How it was given."
    )
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} for {self.person_public_id or self.family_public_id}"

    def covers(self, *, agreement_id: int, category: str, purpose: str) -> bool:
        return (
            (self.agreement_id is None or self.agreement_id == agreement_id)
            and (not self.categories or category in self.categories)
            and (not self.purposes or purpose in self.purposes)
        )


class RelationshipKind(models.TextChoices):
    ALLOCATED_WORKER = "allocated_worker", "Allocated worker"
    TEAM_AROUND_FAMILY = "team_around_family", "Member of the team around the family"
    REFERRAL_TO_AGENCY = "referral_to_agency", "Referral to the agency"


# The purpose a relationship is held for unless its creator says otherwise: every kind of
# relationship starts as early help coordination; safeguarding needs its own basis.
DEFAULT_PURPOSE_BY_KIND: dict[str, str] = {
    RelationshipKind.ALLOCATED_WORKER: "early_help_coordination",
    RelationshipKind.TEAM_AROUND_FAMILY: "early_help_coordination",
    RelationshipKind.REFERRAL_TO_AGENCY: "early_help_coordination",
}


class CareRelationship(models.Model):
    """A legitimate relationship with a family: the need-to-know that opens its record.

    ``user`` empty means the whole agency holds it (a referral to the agency).
    """

    family_public_id = models.CharField(max_length=32, db_index=True)
    kind = models.CharField(max_length=24, choices=RelationshipKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_relationships",
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="care_relationships")
    purpose = models.CharField(
        max_length=40,
        default="early_help_coordination",
        help_text="The purpose the relationship is held for (purposes.yaml); it bounds what "
        "the holder may ask for.",
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["agency", "family_public_id"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.family_public_id}"

    def is_active(self, now: dt.datetime) -> bool:
        return self.started_at <= now and (self.ended_at is None or now < self.ended_at)


class SafeguardingBasisKind(models.TextChoices):
    CONCERN = "concern", "Recorded safeguarding concern"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"


class SafeguardingBasis(models.Model):
    """The recorded reason a relationship may be widened to safeguarding for one family."""

    family_public_id = models.CharField(max_length=32, db_index=True)
    kind = models.CharField(max_length=24, choices=SafeguardingBasisKind.choices)
    summary = models.TextField(help_text="What the concern is, or what the discussion decided.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.family_public_id}"


class PurposeChange(models.Model):
    """One change of the purpose a relationship is held for, with the basis relied on."""

    relationship = models.ForeignKey(
        CareRelationship, on_delete=models.CASCADE, related_name="purpose_changes"
    )
    from_purpose = models.CharField(max_length=40)
    to_purpose = models.CharField(max_length=40)
    basis = models.ForeignKey(
        SafeguardingBasis, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    break_glass_reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.from_purpose} -> {self.to_purpose} ({self.relationship_id})"


class UploadDelegation(models.Model):
    """An agency lets another agency's data analysts upload its extracts (revocable)."""

    from_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"{self.from_agency} uploads by {self.to_agency}"


class BreakGlassOutcome(models.TextChoices):
    JUSTIFIED = "justified", "Justified"
    REFERRED = "referred", "Referred for investigation"


class BreakGlassGrant(models.Model):
    """Emergency access without a relationship: a written reason, a time limit, and a review."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    family_public_id = models.CharField(max_length=32, db_index=True)
    reason = models.TextField()
    categories = models.JSONField(default=list)
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    alerted_agencies = models.ManyToManyField(Agency, related_name="break_glass_alerts")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_outcome = models.CharField(max_length=16, choices=BreakGlassOutcome.choices, blank=True)
    review_notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"Emergency access #{self.pk} to {self.family_public_id}"

    def is_active(self, now: dt.datetime) -> bool:
        return self.granted_at <= now < self.expires_at


class Alert(models.Model):
    """An in-app notice to the IG officers of one agency."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="ig_alerts")
    message = models.TextField()
    break_glass = models.ForeignKey(
        BreakGlassGrant, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.message[:80]


class AuditAction(models.TextChoices):
    VIEW = "view", "View"
    SEARCH = "search", "Search"
    EXPORT = "export", "Export"
    DISCLOSE = "disclose", "Disclose"
    AMEND = "amend", "Amend"


class AuditOutcome(models.TextChoices):
    PERMIT = "permit", "Permitted"
    PARTIAL = "partial", "Permitted in part (some withheld)"
    DENY = "deny", "Denied"


class AuditEntry(models.Model):
    """One line of the hash-chained access log (DPA 2018 s62 fields). Never updated or deleted.

    Actor and agency are copied as text so the entry (and its hash) never changes when a user
    or an agency is later renamed.
    """

    sequence = models.BigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    request_id = models.CharField(max_length=64, blank=True)
    actor_id = models.BigIntegerField(null=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_agency = models.CharField(max_length=64, blank=True, db_index=True)
    actor_role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    outcome = models.CharField(max_length=8, choices=AuditOutcome.choices, db_index=True)
    purpose = models.CharField(max_length=40, blank=True)
    family_public_id = models.CharField(max_length=32, blank=True, db_index=True)
    person_public_id = models.CharField(max_length=32, blank=True, db_index=True)
    categories = models.JSONField(default=list)
    agreements = models.JSONField(default=list)
    consent_ref = models.CharField(max_length=64, blank=True)
    no_consent_reason = models.CharField(max_length=64, blank=True)
    relationship = models.CharField(max_length=64, blank=True)
    break_glass_id = models.BigIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-sequence"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["occurred_at"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.outcome}"

    @property
    def actor_role_label(self) -> str:
        return Role(self.actor_role).label if self.actor_role in Role.values else self.actor_role


class AuditChainHead(models.Model):
    """The single row that serialises appends: its lock is taken before each new entry."""

    last_sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit chain head at {self.last_sequence}"


class PolicyGeneration(models.Model):
    """A token that changes whenever any agreement, party or shared category changes.

    The policy caches the agreements per process and reloads them when the token differs,
    so one cheap read replaces several queries per decision, and a suspension or approval
    is seen by every process on its next decision.
    """

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"policy generation {self.token}"


class RedactionReason(models.TextChoices):
    THIRD_PARTY = "third_party", "Third-party information (DPA 2018 Sch 2 para 16)"
    CHILD_ABUSE = (
        "child_abuse",
        "Child abuse data: disclosure not in the child's best interests (DPA 2018 Sch 3 Part 5)",
    )
    SERIOUS_HARM = "serious_harm", "Serious harm to physical or mental health (DPA 2018 Sch 3)"
    CRIME = "crime", "Prevention or detection of crime (DPA 2018 Sch 2 para 2)"


class SubjectAccessRequest(models.Model):
    """A person's request for what an agency holds about them, and how it was answered.

    Each agency is the controller of its own records and answers for them; ``coordinated``
    marks a partnership response made under an agreement listing subject access.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Being prepared"
        DISCLOSED = "disclosed", "Disclosed"

    person_public_id = models.CharField(max_length=32, db_index=True)
    requester = models.CharField(max_length=200, help_text="Who asked, and their relation.")
    received_on = models.DateField()
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    disclosed_at = models.DateTimeField(null=True, blank=True)
    disclosed_items = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"SAR-{self.pk} for {self.person_public_id}"

    @property
    def reference(self) -> str:
        return f"SAR-{self.pk:05d}"


class SubjectAccessRedaction(models.Model):
    """One item withheld from a subject access response, and why."""

    request = models.ForeignKey(
        SubjectAccessRequest, on_delete=models.CASCADE, related_name="redactions"
    )
    item_ref = models.CharField(max_length=300)
    reason = models.CharField(max_length=16, choices=RedactionReason.choices)
    note = models.TextField(blank=True)
    redacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    redacted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item_ref"]
        constraints = [
            models.UniqueConstraint(fields=["request", "item_ref"], name="one_redaction_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.item_ref} redacted ({self.reason})"
