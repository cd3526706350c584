"""The demo's casework covers every state, made through the services, and loads once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from wraparound.casework.demo_cases import load_cases
from wraparound.casework.models import (
    Assessment,
    AssessmentStatus,
    CaseClosure,
    CaseNote,
    CaseStatus,
    CaseTransfer,
    FamilyCase,
    PlanAction,
    TransferStatus,
)
from wraparound.core.models import AgencyKind, Role, User
from wraparound.sharing.models import RelationshipKind
from wraparound.sharing.tests import factories as sharing

pytestmark = pytest.mark.django_db


def _demo_partnership() -> None:
    from wraparound.matching.models import Family

    for slug, kind in (
        ("hcc-early-help", AgencyKind.EARLY_HELP),
        ("hartshire-community-health", AgencyKind.HEALTH),
        ("harbridge-academy", AgencyKind.EDUCATION),
        ("hcc-social-care", AgencyKind.SOCIAL_CARE),
        ("hartshire-police", AgencyKind.POLICE),
    ):
        agency = sharing.agency(kind, slug=slug, name=slug)
        sharing.worker(agency, username=f"{slug}-practitioner")
        sharing.worker(agency, role=Role.TEAM_MANAGER, username=f"{slug}-team-manager")
    lead = User.objects.get(username="hcc-early-help-practitioner")
    for n in range(6):
        Family.objects.create(public_id=f"F-DEMO000{n}")
        sharing.relationship(lead, f"F-DEMO000{n}", kind=RelationshipKind.ALLOCATED_WORKER)


def test_demo_casework_has_a_case_in_every_state_and_loads_once() -> None:
    _demo_partnership()

    summary = load_cases()

    assert summary.startswith("5 early help cases")
    today = timezone.localdate()
    assert FamilyCase.objects.filter(status=CaseStatus.OPEN).count() == 4
    assert FamilyCase.objects.filter(status=CaseStatus.CLOSED).count() == 1
    assert CaseClosure.objects.filter(reopened_at__isnull=False).count() == 1
    assert (
        CaseTransfer.objects.filter(status=TransferStatus.PENDING, direction="step_up").count() == 1
    )
    assert PlanAction.objects.filter(status="not_started", due_on__lt=today).exists()
    assert Assessment.objects.filter(status=AssessmentStatus.SIGNED_OFF).exists()
    assert Assessment.objects.filter(status=AssessmentStatus.DRAFT, due_on__lt=today).exists()
    assert CaseNote.objects.filter(category="police").exists()
    assert CaseNote.objects.filter(amendments__isnull=False).exists()
    assert load_cases() == "casework already loaded"
    assert FamilyCase.objects.count() == 5
