"""Property tests: no sequence of actions, by anyone, at any time, reaches an illegal state.

Hypothesis drives one referral through random actions by random people (sender, the sender's
manager, the receiving practitioner and manager, an outsider), with good or bad input, and
random clock ticks over working days, checking after every step that the referral moved
only along the state machine, that final states are final, that only a person of the
receiving agency ever accepted (the clock never does), that need to know is open exactly while
the referral is, and that every change has its state-log row and its audit entry.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from typing import Any

import pytest
from django_fsm_log.models import StateLog
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from wraparound.referrals import services
from wraparound.referrals.clock import tick
from wraparound.referrals.models import FINAL_STATES, OPEN_STATES, TRANSITIONS, Referral, State
from wraparound.referrals.rules import ReferralError
from wraparound.referrals.tests.builders import (
    TUESDAY,
    Partnership,
    draft,
    family_in_index,
    partnership,
)
from wraparound.sharing.models import AuditEntry
from wraparound.sharing.tests import factories as sharing

pytestmark = pytest.mark.django_db

EDGES = {(str(s), str(target)) for sources, target in TRANSITIONS.values() for s in sources}
ACTORS = ("sender", "sender_manager", "receiver", "receiver_manager", "outsider")
ACTIONS = ("accept", "decline", "request_information", "provide_information", "withdraw", "close")
_families = itertools.count(1)


def _do(action: str, by: Any, referral: Referral, good: bool, now: dt.datetime) -> None:
    text = "Enough words to be a real answer here." if good else ""
    if action == "accept":
        services.accept_referral(by=by, referral=referral, now=now)
    elif action == "decline":
        services.decline_referral(
            by=by,
            referral=referral,
            reason_code="service_full" if good else "nope",
            signpost=text,
            now=now,
        )
    elif action == "request_information":
        services.request_information(by=by, referral=referral, question=text, now=now)
    elif action == "provide_information":
        services.provide_information(by=by, referral=referral, answer=text, now=now)
    elif action == "withdraw":
        services.withdraw_referral(
            by=by, referral=referral, reason_code="needs_changed" if good else "", now=now
        )
    else:
        services.close_referral(
            by=by, referral=referral, reason_code="support_completed" if good else "", now=now
        )


class ReferralLife(RuleBasedStateMachine):
    p: Partnership

    def __init__(self) -> None:
        super().__init__()
        family = f"F-PROP{next(_families):04d}"
        family_in_index(family)
        sharing.relationship(self.p.sender, family)
        self.now = TUESDAY
        self.referral = services.send_referral(
            by=self.p.sender, draft=draft(self.p, family_public_id=family), now=self.now
        )
        self.state = State.SENT
        self.clock_steps = 0

    @rule(actor=st.sampled_from(ACTORS), action=st.sampled_from(ACTIONS), good=st.booleans())
    def act(self, actor: str, action: str, good: bool) -> None:
        referral = Referral.objects.get(pk=self.referral.pk)
        # A refusal is fine: the invariants check nothing changed illegally either way.
        with contextlib.suppress(ReferralError):
            _do(action, getattr(self.p, actor), referral, good, self.now)

    @rule(hours=st.integers(min_value=1, max_value=24 * 9))
    def time_passes(self, hours: int) -> None:
        self.now += dt.timedelta(hours=hours)
        before = Referral.objects.get(pk=self.referral.pk)
        tick(now=self.now)
        after = Referral.objects.get(pk=self.referral.pk)
        self.clock_steps += (after.reminded_at != before.reminded_at) + (
            after.escalated_at != before.escalated_at
        )
        if after.state == State.EXPIRED and before.state != State.EXPIRED:
            assert self.now >= before.expires_at, "expired before its time"

    @invariant()
    def moves_only_along_the_state_machine(self) -> None:
        current = Referral.objects.get(pk=self.referral.pk)
        if current.state != self.state:
            assert (self.state, current.state) in EDGES, (self.state, current.state)
            assert self.state not in FINAL_STATES
        self.state = current.state

    @invariant()
    def decisions_are_made_by_people_of_the_receiving_agency(self) -> None:
        r = Referral.objects.select_related("decided_by").get(pk=self.referral.pk)
        if r.state == State.ACCEPTED or r.decline_reason:
            assert r.decided_by is not None
            assert r.decided_by.agency_id == r.to_agency_id
        if r.state == State.DECLINED:
            assert r.decline_reason
            assert r.signpost
        accepts = StateLog.objects.filter(object_id=r.pk, transition="accept")
        assert all(log.by_id is not None for log in accepts)

    @invariant()
    def need_to_know_is_open_exactly_while_the_referral_is(self) -> None:
        r = Referral.objects.select_related("pending_relationship", "receiving_relationship").get(
            pk=self.referral.pk
        )
        assert (r.pending_relationship.ended_at is None) == (r.state in OPEN_STATES)
        receiving = r.receiving_relationship
        assert (receiving is not None and receiving.ended_at is None) == (r.state == State.ACCEPTED)

    @invariant()
    def every_change_is_logged_and_audited(self) -> None:
        r = Referral.objects.get(pk=self.referral.pk)
        transitions = StateLog.objects.filter(object_id=r.pk).count()
        audited = AuditEntry.objects.filter(
            reason__startswith=f"Referral {r.reference} to "
        ).count()
        assert audited == transitions + self.clock_steps


def test_no_sequence_of_actions_reaches_an_illegal_state(db: Any) -> None:
    ReferralLife.p = partnership()
    run_state_machine_as_test(
        ReferralLife,
        settings=settings(
            max_examples=25,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )


def test_the_model_transitions_are_exactly_the_documented_table() -> None:
    from django_fsm import get_all_FIELD_transitions  # noqa: F401

    field = Referral._meta.get_field("state")
    declared = {
        (str(t.source), str(t.target), t.name)
        for t in field.get_all_transitions(Referral)  # type: ignore[attr-defined]
    }
    expected = {
        (str(s), str(target), name)
        for name, (sources, target) in TRANSITIONS.items()
        for s in sources
    }
    assert declared == expected
