"""Selectors other apps use: typed tasks for "my tasks" and the family chronology's referral
lines, read through the sharing gate like any other agency record."""

from __future__ import annotations

import datetime as dt

import pytest

from wraparound.referrals import selectors, services
from wraparound.referrals.tests.builders import FAMILY, TUESDAY, draft, partnership
from wraparound.sharing.models import AuditEntry, AuditOutcome
from wraparound.sharing.tests import factories as sharing

pytestmark = pytest.mark.django_db


def test_tasks_for_the_receiver_the_sender_and_the_managers() -> None:
    p = partnership()
    referral = services.send_referral(by=p.sender, draft=draft(p), now=TUESDAY)
    later = TUESDAY + dt.timedelta(days=14)
    [decide] = selectors.tasks_for(p.receiver, now=TUESDAY)
    assert (decide.kind, decide.reference, decide.overdue) == (
        "decide_referral",
        referral.reference,
        False,
    )
    assert [t.kind for t in selectors.tasks_for(p.receiver_manager, now=later)] == [
        "overdue_referral"
    ]
    assert selectors.tasks_for(p.sender) == []
    services.request_information(
        by=p.receiver, referral=referral, question="Who holds the tenancy?"
    )
    assert [t.kind for t in selectors.tasks_for(p.sender)] == ["answer_information_request"]
    assert [t.kind for t in selectors.tasks_for(p.sender_manager)] == ["answer_information_request"]
    assert selectors.tasks_for(p.receiver) == []
    assert selectors.tasks_for(p.outsider) == []


def test_chronology_lines_for_a_family_follow_the_agreements() -> None:
    p = partnership()
    referral = services.send_referral(by=p.sender, draft=draft(p), now=TUESDAY)
    services.accept_referral(by=p.receiver, referral=referral, now=TUESDAY + dt.timedelta(hours=3))
    lines = selectors.chronology_for_family(
        user=p.sender, family_public_id=FAMILY, purpose="early_help_coordination"
    )
    assert [line.label for line in lines] == ["Referral accepted", "Referral sent"]
    assert lines[0].detail == "Early Help Hartshire to Hartshire Homes"
    # A police worker allocated to the family sees nothing: no agreement shares early help with police.
    officer = sharing.worker(p.police, username="officer")
    sharing.relationship(officer, FAMILY)
    assert (
        selectors.chronology_for_family(
            user=officer, family_public_id=FAMILY, purpose="early_help_coordination"
        )
        == []
    )
    assert AuditEntry.objects.filter(actor_id=officer.pk, outcome=AuditOutcome.PARTIAL).exists()


def test_chronology_sources_are_keyed_for_the_family_pages_own_gate_read() -> None:
    p = partnership()
    services.send_referral(by=p.sender, draft=draft(p), now=TUESDAY)
    [line] = selectors.chronology_sources(FAMILY)
    assert (line.agency_id, line.category) == (p.early_help.pk, "early_help")


def test_accepted_referral_starts_give_evaluation_the_family_and_start_date() -> None:
    from wraparound.referrals.tests.test_pages import _housing_service

    p = partnership()
    service = _housing_service(p)
    referral = services.send_referral(
        by=p.sender, draft=draft(p, to_service_id=str(service.pk), to_agency_id=None), now=TUESDAY
    )
    assert selectors.accepted_referral_starts(service.pk).height == 0  # sent, not accepted
    services.accept_referral(by=p.receiver, referral=referral, now=TUESDAY + dt.timedelta(days=1))
    frame = selectors.accepted_referral_starts(service.pk)
    assert frame.rows() == [(FAMILY, dt.date(2026, 12, 2))]
