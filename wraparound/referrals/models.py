"""A referral from one agency to another (or to a directory service) about one family.

The state is a django-fsm-2 field: it changes only through the transition methods below,
whose ``source``/``target`` lists are the state machine (see ``TRANSITIONS`` and
docs/referrals.md); django-fsm-log writes a row per transition, and the services in
``services.py`` wrap each transition with its permission check, its sharing-audit entry and
its notifications in one transaction. ``ConcurrentTransitionMixin`` refuses a save whose state
changed underneath it, so two people deciding at once cannot both win.

The family and the children are referred to by the master index's public ids, as the sharing
app does, so a referral outlives re-matching.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from wraparound.core.models import Agency


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent, waiting for a decision"
    INFORMATION_REQUESTED = "information_requested", "More information requested"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired without a decision"
    CLOSED = "closed", "Closed"


OPEN_STATES = (State.SENT, State.INFORMATION_REQUESTED)
FINAL_STATES = (State.DECLINED, State.WITHDRAWN, State.EXPIRED, State.CLOSED)

# The state machine, as data: transition name -> (sources, target). The model's decorated
# methods use exactly these lists, and a test checks the two agree.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "send": ((State.DRAFT,), State.SENT),
    "request_information": ((State.SENT,), State.INFORMATION_REQUESTED),
    "provide_information": ((State.INFORMATION_REQUESTED,), State.SENT),
    "accept": (OPEN_STATES, State.ACCEPTED),
    "decline": (OPEN_STATES, State.DECLINED),
    "withdraw": ((*OPEN_STATES, State.ACCEPTED), State.WITHDRAWN),
    "expire": (OPEN_STATES, State.EXPIRED),
    "close": ((State.ACCEPTED,), State.CLOSED),
}


class Urgency(models.TextChoices):
    URGENT = "urgent", "Urgent: decide within 1 working day"
    STANDARD = "standard", "Standard"


class ConsentBasis(models.TextChoices):
    GIVEN = "given", "The family agreed to this referral"
    WITHOUT_CONSENT = "without_consent", "Sent without consent under a recorded condition"
    NOT_REQUIRED = "not_required", "The agreement's lawful basis does not rely on consent"


class ClockStage(models.TextChoices):
    RUNNING = "running", "Within time"
    REMINDED = "reminded", "Reminder sent"
    ESCALATED = "escalated", "Escalated to the team manager"


def _sources(name: str) -> list[str]:
    return [str(s) for s in TRANSITIONS[name][0]]


def _has_decline_reason_and_signpost(referral: Any) -> bool:
    """Guard: a decline always says why, and where the family should go instead."""
    return bool(referral.decline_reason and referral.signpost)


def _target(name: str) -> str:
    return str(TRANSITIONS[name][1])


class Referral(ConcurrentTransitionMixin, models.Model):
    reference = models.CharField(max_length=16, unique=True, null=True, blank=True)
    family_public_id = models.CharField(max_length=32, db_index=True)
    children = models.JSONField(default=list, blank=True, help_text="Person public ids concerned.")
    purpose = models.CharField(max_length=40, help_text="Purpose code from purposes.yaml.")
    from_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referrals_made")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_sent"
    )
    to_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="referrals_received"
    )
    to_service = models.ForeignKey(
        "directory.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        help_text="The directory (ORUK) service referred to, if any.",
    )
    to_service_name = models.CharField(max_length=300, blank=True, help_text="As it was named.")
    reason = models.TextField()
    needs = models.JSONField(default=list, help_text="Outcome codes from core/outcomes.yaml.")
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.STANDARD)
    consent_basis = models.CharField(max_length=20, choices=ConsentBasis.choices)
    consent_given_by = models.CharField(max_length=200, blank=True)
    no_consent_condition = models.CharField(max_length=40, blank=True)
    no_consent_reason = models.TextField(blank=True)
    agreement = models.ForeignKey(
        "sharing.SharingAgreement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lawful_basis = models.CharField(max_length=300, blank=True, help_text="As recorded at sending.")
    consent_record = models.ForeignKey(
        "sharing.ConsentRecord", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    shared_categories = models.JSONField(
        default=list, help_text="Data categories the sender shares with the receiving agency."
    )
    suggestion = models.JSONField(
        default=dict,
        blank=True,
        help_text="The 'available locally' suggestion it came from (rank, distance, list shown).",
    )
    state = FSMField(default=State.DRAFT, choices=State.choices, protected=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    clock_started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    clock_stage = models.CharField(
        max_length=10, choices=ClockStage.choices, default=ClockStage.RUNNING
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    information_request = models.TextField(blank=True)
    information_response = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decline_reason = models.CharField(max_length=40, blank=True)
    signpost = models.TextField(blank=True, help_text="Where the family should go instead.")
    signpost_service = models.ForeignKey(
        "directory.Service", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=40, blank=True)
    end_note = models.TextField(blank=True)
    pending_relationship = models.ForeignKey(
        "sharing.CareRelationship",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    receiving_relationship = models.ForeignKey(
        "sharing.CareRelationship",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["to_agency", "state"], name="referral_front_door")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="declined")
                | (~models.Q(decline_reason="") & ~models.Q(signpost="")),
                name="referral_declined_has_reason_and_signpost",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="accepted") | models.Q(decided_by__isnull=False),
                name="referral_accepted_by_a_person",
            ),
            models.CheckConstraint(
                condition=~models.Q(consent_basis="without_consent")
                | (~models.Q(no_consent_condition="") & ~models.Q(no_consent_reason="")),
                name="referral_without_consent_records_why",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference or 'Draft referral'} for {self.family_public_id}"

    @property
    def receiver_name(self) -> str:
        return self.to_service_name or self.to_agency.name

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def overdue(self, now: dt.datetime | None = None) -> bool:
        return bool(self.is_open and self.due_at and (now or timezone.now()) > self.due_at)

    # --- transitions (the state machine; services.py adds who may, audit and notices) ------

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=_sources("send"), target=_target("send"))
    def send(self, *, by: Any, description: str = "", at: dt.datetime) -> None:
        self.sent_at = self.clock_started_at = at

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=_sources("request_information"), target=_target("request_information")
    )
    def request_information(
        self, *, by: Any, description: str = "", question: str, at: dt.datetime
    ) -> None:
        self.information_request = question
        self.clock_started_at = at

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=_sources("provide_information"), target=_target("provide_information")
    )
    def provide_information(
        self, *, by: Any, description: str = "", answer: str, at: dt.datetime
    ) -> None:
        self.information_response = answer
        self.clock_started_at = at

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=_sources("accept"), target=_target("accept"))
    def accept(self, *, by: Any, description: str = "", at: dt.datetime) -> None:
        self.decided_at, self.decided_by = at, by

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state,
        source=_sources("decline"),
        target=_target("decline"),
        conditions=[_has_decline_reason_and_signpost],
    )
    def decline(self, *, by: Any, description: str = "", at: dt.datetime) -> None:
        self.decided_at, self.decided_by = at, by

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=_sources("withdraw"), target=_target("withdraw"))
    def withdraw(self, *, by: Any, description: str = "", at: dt.datetime) -> None:
        self.ended_at = at

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=_sources("expire"), target=_target("expire"))
    def expire(self, *, by: Any, description: str = "", at: dt.datetime) -> None:
        self.ended_at = at

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=_sources("close"), target=_target("close"))
    def close(self, *, by: Any, description: str = "", at: dt.datetime) -> None:
        self.ended_at = at
