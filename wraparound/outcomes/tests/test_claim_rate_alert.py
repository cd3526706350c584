"""Assurance's trigger: a team claiming far more (or nothing) against the county is flagged."""

from __future__ import annotations

import datetime as dt

import pytest

from wraparound.core.models import AgencyKind, Role
from wraparound.outcomes.models import Baseline, Claim
from wraparound.outcomes.reports import claim_rate_alerts
from wraparound.sharing.tests import factories as sharing

pytestmark = pytest.mark.django_db


def _closed(agency, user, n: int, claimed: int, prefix: str) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        baseline = Baseline.objects.create(
            family_public_id=f"F-{prefix}{i:04d}",
            framework_version="2022-25",
            engaged_on=dt.date(2025, 1, 1),
            support_ended_on=dt.date(2025, 6, 1),
            fixed_by=user,
            lead_agency=agency,
        )
        if i < claimed:
            Claim.objects.create(
                baseline=baseline,
                family_public_id=baseline.family_public_id,
                period="2026-Q1",
                basis="sustained",
                lead_agency=agency,
                created_by=user,
                evidence_pack={},
                pack_hash="0" * 64,
                audit_sequence=0,
                audit_entry_hash="0" * 64,
            )


def test_a_team_claiming_far_above_the_county_rate_or_never_is_flagged() -> None:
    eager = sharing.agency(AgencyKind.EARLY_HELP, slug="eager-team")
    usual = sharing.agency(AgencyKind.VOLUNTARY, slug="usual-team")
    silent = sharing.agency(AgencyKind.SOCIAL_CARE, slug="silent-team")
    manager = sharing.worker(eager, Role.TEAM_MANAGER)
    _closed(eager, manager, 10, 10, "E")
    _closed(usual, manager, 20, 4, "U")
    _closed(silent, manager, 6, 0, "S")
    sharing.agreement(parties=[eager], shares=[], purposes=["outcomes_evaluation_aggregate"])
    alerts = {a.lead_agency: a for a in claim_rate_alerts(user=manager)}
    assert set(alerts) == {"eager-team", "silent-team"}
    assert "100%" in alerts["eager-team"].message
    assert alerts["silent-team"].message.startswith("no claims from 6 closed engagements")
