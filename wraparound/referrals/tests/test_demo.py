"""The demo's referrals cover every state, are made through the services, and load once."""

from __future__ import annotations

import pytest

from wraparound.core.models import AgencyKind, Role
from wraparound.referrals.demo import load_demo
from wraparound.referrals.models import Referral, State
from wraparound.referrals.tests.builders import family_in_index
from wraparound.sharing.tests import factories as sharing

pytestmark = pytest.mark.django_db


def _demo_partnership() -> None:
    agencies = []
    for slug, kind in (
        ("hcc-early-help", AgencyKind.EARLY_HELP),
        ("hartshire-homes", AgencyKind.HOUSING),
        ("home-start-hartshire", AgencyKind.VOLUNTARY),
        ("hartshire-childrens-centres", AgencyKind.VOLUNTARY),
        ("hartshire-womens-aid", AgencyKind.VOLUNTARY),
        ("hcc-education", AgencyKind.EDUCATION),
    ):
        agency = sharing.agency(kind, slug=slug, name=slug)
        sharing.worker(agency, username=f"{slug}-practitioner")
        sharing.worker(agency, role=Role.TEAM_MANAGER, username=f"{slug}-team-manager")
        agencies.append(agency)
    sharing.agreement(
        parties=agencies,
        shares=[(agencies[0], "early_help"), (agencies[0], "identity")],
        purposes=["early_help_coordination"],
        consent_required=True,
    )
    lead = agencies[0].staff.get(role=Role.PRACTITIONER)
    for n in range(6):
        family_in_index(f"F-DEMO000{n}")
        sharing.relationship(lead, f"F-DEMO000{n}")


def test_demo_referrals_are_in_every_state_and_load_once() -> None:
    _demo_partnership()

    summary = load_demo({})

    assert summary.startswith("8 referrals in every state")
    states = set(Referral.objects.values_list("state", flat=True))
    assert states == set(State.values) - {State.DRAFT}
    escalated = Referral.objects.get(urgency="urgent")
    assert escalated.state == State.SENT
    assert escalated.escalated_at is not None
    assert load_demo({}) == "referrals already loaded"
    assert Referral.objects.count() == 8
