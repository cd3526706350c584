"""The demo partnership's agreements load, are in the states described, and enforce."""

from __future__ import annotations

import pytest

from wraparound.core.demo import create_demo_users, load_agencies
from wraparound.core.models import Agency, User
from wraparound.sharing import policy
from wraparound.sharing.audit import verify_stored_chain
from wraparound.sharing.demo import load_demo
from wraparound.sharing.models import SharingAgreement
from wraparound.sharing.services import add_relationship

pytestmark = pytest.mark.django_db


def test_demo_agreements_load_once_and_police_cannot_see_health_for_early_help() -> None:
    agencies = load_agencies()
    create_demo_users(agencies)
    summary = load_demo({})
    assert "5 sharing agreements" in summary
    assert "already loaded" in load_demo({})
    states = {a.reference: a.effective_status for a in SharingAgreement.objects.all()}
    assert states == {
        "DSA-000": "expired",
        "DSA-001": "approved",
        "DSA-002": "approved",
        "DSA-003": "approved",
        "DSA-004": "draft",
    }
    police = Agency.objects.get(slug="hartshire-police")
    health = Agency.objects.get(slug="hartshire-community-health")
    officer = User.objects.get(username="hartshire-police-practitioner")
    # A strategy discussion is the police officer's basis for working with F-DEMO for safeguarding.
    add_relationship(
        family_public_id="F-DEMO",
        kind="team_around_family",
        agency=police,
        user=officer,
        purpose="safeguarding",
        break_glass_reason="Strategy discussion today: police attend, child at risk of harm.",
    )
    ask = {"user": officer, "family_public_id": "F-DEMO", "categories": [(health, "health")]}
    assert policy.decide(**ask, purpose="safeguarding").permits(health.pk, "health")
    refused = policy.decide(**ask, purpose="early_help_coordination")
    assert not refused.permitted
    assert refused.denied[0].reason.startswith(
        "No approved agreement lets Hartshire Constabulary see health data from Hartshire "
        "Community Health NHS Trust (Health Visiting and Midwifery) for early help coordination"
    )
    assert verify_stored_chain().ok


def test_the_demo_lets_statutory_team_managers_triage_under_dsa_001_and_no_one_else() -> None:
    create_demo_users(load_agencies())
    load_demo({})
    assert "triage" in SharingAgreement.objects.get(reference="DSA-001").purposes
    early_help = User.objects.get(username="hcc-early-help-team-manager")
    voluntary = User.objects.get(username="home-start-hartshire-team-manager")
    agreement, basis = policy.triage_basis(early_help)
    assert agreement is not None
    assert basis.startswith("DSA-001 v")
    assert policy.triage_basis(voluntary)[0] is None
