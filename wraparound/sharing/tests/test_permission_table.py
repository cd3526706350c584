"""The permission table: role x relationship x agreement state x consent -> may see health data.

The question every row asks: may a worker at Early Help see Community Health's health data
about family F-1 for early help coordination? The expected answer is stated as the rule, and
every combination is generated (Wagtail-style permission tables).
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from wraparound.core.models import AgencyKind, Role
from wraparound.sharing.models import AgreementStatus, BreakGlassGrant, ConsentDecision
from wraparound.sharing.policy import decide
from wraparound.sharing.tests.factories import agency, agreement, consent, relationship, worker

ROLES = [
    Role.PRACTITIONER,
    Role.TEAM_MANAGER,
    Role.DATA_ANALYST,
    Role.IG_OFFICER,
    Role.ADMINISTRATOR,
]
RELATIONSHIPS = ["none", "allocated", "ended", "break_glass", "expired_break_glass"]
AGREEMENTS = ["none", "draft", "approved_no_consent", "approved_consent", "suspended", "expired"]
CONSENTS = ["none", "given", "refused", "withdrawn_after_given"]


def expected(role: str, rel: str, state: str, consent_state: str) -> bool:
    """The rule, stated once: casework role, need to know, agreement in force, consent if needed."""
    if role not in {Role.PRACTITIONER, Role.TEAM_MANAGER}:
        return False
    if rel not in {"allocated", "break_glass"}:
        return False
    if state == "approved_no_consent":
        return True
    if state == "approved_consent":
        return consent_state == "given"
    return False


CASES = list(itertools.product(ROLES, RELATIONSHIPS, AGREEMENTS, CONSENTS))


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "rel", "state", "consent_state"), CASES)
def test_permission_table(role: str, rel: str, state: str, consent_state: str) -> None:
    health = agency(AgencyKind.HEALTH, "table-health", "Community Health")
    early = agency(AgencyKind.EARLY_HELP, "table-early-help", "Early Help")
    user = worker(early, role=role)
    now = timezone.now()
    family = "F-1"
    if rel in {"allocated", "ended"}:
        relationship(
            user,
            family,
            ended_at=now - dt.timedelta(days=1) if rel == "ended" else None,
            started_at=now - dt.timedelta(days=10),
        )
    if rel in {"break_glass", "expired_break_glass"}:
        expires = (
            now + dt.timedelta(hours=1) if rel == "break_glass" else now - dt.timedelta(minutes=1)
        )
        BreakGlassGrant.objects.create(
            user=user,
            family_public_id=family,
            reason="table",
            categories=["health"],
            granted_at=now - dt.timedelta(hours=2),
            expires_at=expires,
        )
    if state != "none":
        agreement(
            parties=[early, health],
            shares=[(health, "health")],
            purposes=["early_help_coordination"],
            consent_required=state == "approved_consent",
            status={
                "draft": AgreementStatus.DRAFT,
                "suspended": AgreementStatus.SUSPENDED,
                "expired": AgreementStatus.EXPIRED,
            }.get(state, AgreementStatus.APPROVED),
        )
    if consent_state == "given":
        consent(family, ConsentDecision.GIVEN, user)
    elif consent_state == "refused":
        consent(family, ConsentDecision.REFUSED, user)
    elif consent_state == "withdrawn_after_given":
        consent(family, ConsentDecision.GIVEN, user, recorded_at=now - dt.timedelta(days=2))
        consent(family, ConsentDecision.WITHDRAWN, user, recorded_at=now - dt.timedelta(days=1))
    decision = decide(
        user=user,
        family_public_id=family,
        categories=[(health, "health")],
        purpose="early_help_coordination",
    )
    assert decision.permits(health.pk, "health") is expected(role, rel, state, consent_state)
    assert decision.items[0].reason
