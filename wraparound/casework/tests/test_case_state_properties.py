"""Property tests: no sequence of casework actions, by anyone, reaches an illegal state.

Each example runs a random sequence of actions (some refused, as they should be) by random
actors against one family, then checks the invariants the services promise: an open case
has exactly one lead who is a current member; membership and sharing relationship start and
end together; a closed case leaves nobody with access through it; at most one transfer waits,
and only a waiting one holds the receiving agency's access; assessments move only forwards.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from wraparound.casework import plan_services, services, transfers
from wraparound.casework.concurrency import CaseworkError
from wraparound.casework.models import (
    AssessmentStatus,
    CaseHistory,
    CaseStatus,
    CaseTransfer,
    FamilyCase,
    TransferStatus,
)
from wraparound.casework.plan_models import Assessment
from wraparound.casework.plan_services import AreaAnswers
from wraparound.casework.tests.casework_builders import Team, team_around_family
from wraparound.sharing.models import AuditEntry, AuditOutcome, RelationshipKind
from wraparound.sharing.tests import factories as sharing

pytestmark = pytest.mark.django_db

ACTORS = ("manager", "lead", "colleague", "health_visitor", "social_care_manager", "social_worker")


def _case(team: Team) -> FamilyCase:
    return FamilyCase.objects.get(pk=team.case.pk)


def _pending(team: Team) -> CaseTransfer | None:
    return CaseTransfer.objects.filter(case=team.case, status=TransferStatus.PENDING).first()


def _assessment(team: Team) -> Assessment | None:
    return plan_services.current_assessment(_case(team))


def add_member(team: Team, actor: Any) -> None:
    services.add_member(by=actor, case=_case(team), user=team.health_visitor, role="Health visitor")


def leave(team: Team, actor: Any) -> None:
    member = _case(team).members.filter(left_on__isnull=True).exclude(user=actor).first()
    if member is not None:
        services.end_membership(by=actor, member=member)


def change_lead(team: Team, actor: Any) -> None:
    case = _case(team)
    services.change_lead(
        by=actor, case=case, new_lead=team.colleague, expected_version=case.version
    )


def hand_over(team: Team, actor: Any) -> None:
    services.hand_over_caseload(by=actor, leaving=team.lead, to=team.colleague)


def close(team: Team, actor: Any) -> None:
    case = _case(team)
    services.close_case(by=actor, case=case, reason="needs_met", expected_version=case.version)


def refer_in(team: Team, actor: Any) -> None:
    """A referral to the actor's agency accepted: a route back in once the case has closed."""
    sharing.relationship(
        actor,
        team.family.family_public_id,
        kind=RelationshipKind.REFERRAL_TO_AGENCY,
        purpose="early_help_coordination",
    )


def reopen(team: Team, actor: Any) -> None:
    services.reopen_case(by=actor, case=_case(team), lead=actor, reason="New concerns")


def step_up(team: Team, actor: Any) -> None:
    transfers.request_transfer(
        by=actor, case=_case(team), direction="step_up", to_agency=team.social_care, reason="Risk"
    )


def step_down(team: Team, actor: Any) -> None:
    transfers.request_transfer(
        by=actor,
        case=_case(team),
        direction="step_down",
        to_agency=team.family.early_help,
        reason="Safer now",
    )


def accept(team: Team, actor: Any) -> None:
    pending = _pending(team)
    if pending is not None:
        new_lead = team.social_worker if pending.direction == "step_up" else team.colleague
        transfers.accept_transfer(by=actor, transfer=pending, new_lead=new_lead)


def decline(team: Team, actor: Any) -> None:
    pending = _pending(team)
    if pending is not None:
        transfers.decline_transfer(by=actor, transfer=pending, note="Not now")


def withdraw(team: Team, actor: Any) -> None:
    pending = _pending(team)
    if pending is not None:
        transfers.withdraw_transfer(by=actor, transfer=pending)


def start_assessment(team: Team, actor: Any) -> None:
    plan_services.start_assessment(by=actor, case=_case(team), started_on=dt.date(2026, 10, 1))


def fill_assessment(team: Team, actor: Any) -> None:
    a = _assessment(team)
    if a is not None:
        plan_services.save_assessment(
            by=actor,
            assessment=a,
            expected_version=a.version,
            areas={"health": AreaAnswers(worries="Missed visits", is_need=True)},
            child_words="",
            parents_words="We are tired.",
        )


def complete(team: Team, actor: Any) -> None:
    a = _assessment(team)
    if a is not None:
        plan_services.complete_assessment(by=actor, assessment=a, expected_version=a.version)


def complete_late_with_reason(team: Team, actor: Any) -> None:
    a = _assessment(team)
    if a is not None:
        plan_services.complete_assessment(
            by=actor,
            assessment=a,
            expected_version=a.version,
            late_reason="Family unwell",
            on=a.due_on + dt.timedelta(days=3),
        )


def sign_off(team: Team, actor: Any) -> None:
    a = _assessment(team)
    if a is not None:
        plan_services.sign_off_assessment(by=actor, assessment=a, expected_version=a.version)


STEPS: list[Callable[[Team, Any], None]] = [
    add_member,
    leave,
    change_lead,
    hand_over,
    close,
    refer_in,
    reopen,
    step_up,
    step_down,
    accept,
    decline,
    withdraw,
    start_assessment,
    fill_assessment,
    complete,
    complete_late_with_reason,
    sign_off,
]


def check_invariants(team: Team, history_before: int) -> int:
    case = _case(team)
    current = list(case.members.filter(left_on__isnull=True).select_related("relationship"))
    for member in case.members.select_related("relationship"):
        assert (member.left_on is None) == (member.relationship.ended_at is None), member
    if case.status == CaseStatus.OPEN:
        assert case.lead_id is not None
        assert case.lead_id in {m.user_id for m in current}
        assert case.lead.is_active
    else:
        assert case.lead_id is None
        assert not current
    pending = list(case.transfers.filter(status=TransferStatus.PENDING))
    assert len(pending) <= 1
    for transfer in case.transfers.select_related("receiving_relationship"):
        live = transfer.receiving_relationship.ended_at is None
        assert live == (transfer.status == TransferStatus.PENDING), transfer
    if pending:
        assert case.status == CaseStatus.OPEN
    for a in Assessment.objects.filter(case=case):
        if a.status != AssessmentStatus.DRAFT:
            assert a.completed_on is not None
            if a.completed_on > a.due_on:
                assert a.late_reason
        if a.status == AssessmentStatus.SIGNED_OFF:
            assert a.signed_off_by_id not in (None, a.author_id)
    history = CaseHistory.objects.filter(case=case).count()
    assert history >= history_before  # append-only
    # Nobody opened or reopened the case without a route in the policy accepted (audited).
    openings = Counter(
        CaseHistory.objects.filter(case=case)
        .filter(Q(what__startswith="Case opened") | Q(what__startswith="Case reopened"))
        .values_list("by_id", flat=True)
    )
    for actor_id, count in openings.items():
        routes = AuditEntry.objects.filter(
            actor_id=actor_id,
            outcome=AuditOutcome.PERMIT,
            reason__contains=f"Route in to open a case for family {case.family_public_id}",
        )
        assert routes.count() >= count, f"user {actor_id} opened the case without a route in"
    return history


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(STEPS), st.sampled_from(ACTORS)), min_size=1, max_size=14
    )
)
def test_no_sequence_of_casework_actions_reaches_an_illegal_state(
    steps: list[tuple[Callable[[Team, Any], None], str]],
) -> None:
    with transaction.atomic():
        team = team_around_family()
        seen = check_invariants(team, 0)
        for step, actor_name in steps:
            try:
                with transaction.atomic():
                    step(team, getattr(team, actor_name))
                event(f"{step.__name__} done")
            except CaseworkError:
                event(f"{step.__name__} refused")  # as the rules say; the state stays legal
            seen = check_invariants(team, seen)
        transaction.set_rollback(True)


def test_the_invariant_check_itself_catches_a_case_reopened_without_a_route_in() -> None:
    """A test of the test: reopen behind the services' back (no route in) and see it caught."""
    team = team_around_family()
    services.close_case(
        by=team.lead, case=team.case, reason="needs_met", expected_version=team.case.version
    )
    outsider = team.social_care_manager
    services._reopen_case(  # the write without its route check
        by=outsider, case=_case(team), lead=outsider, reason="No route", request_id=""
    )
    with pytest.raises(AssertionError, match="without a route in"):
        check_invariants(team, 0)


def test_the_invariant_check_itself_catches_an_open_case_whose_lead_has_left() -> None:
    """A test of the test: break an invariant behind the services' back and see it caught."""
    team = team_around_family()
    member = team.case.members.get(user=team.lead)
    member.left_on = timezone.localdate()
    member.save(update_fields=["left_on"])
    with pytest.raises(AssertionError):
        check_invariants(team, 0)
