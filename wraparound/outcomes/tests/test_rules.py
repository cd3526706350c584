"""Progress proposals and the sustained-progress window, stated as properties."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wraparound.outcomes.framework import ProposalRule, SustainedRule
from wraparound.outcomes.rules import (
    NeedOutcome,
    ProgressStatus,
    Proposal,
    ProposedStatus,
    SustainResult,
    SustainState,
    evaluate_sustained,
    family_outcome,
    propose_status,
    quiet_chance,
    rate_change,
)

# A shared machine under load must not fail a property for being slow to generate inputs.
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
END = dt.date(2025, 6, 30)
RULE = SustainedRule(window_days=183, anchor="end_of_support", max_events=0)
LATE = END + dt.timedelta(days=400)
days = st.integers(min_value=-400, max_value=600)
offsets = st.lists(days, max_size=8)


def _dates(offs: list[int]) -> list[dt.date]:
    return [END + dt.timedelta(days=o) for o in offs]


def _judge(
    offs: list[int], *, as_of: dt.date = LATE, covers: dt.date = LATE, rule: SustainedRule = RULE
) -> SustainResult:
    return evaluate_sustained(
        concern_dates=_dates(offs),
        support_ended_on=END,
        rule=rule,
        as_of=as_of,
        data_covers_until=covers,
    )


def test_an_event_on_the_last_day_of_support_belongs_to_support_not_the_window() -> None:
    assert _judge([0]).state == SustainState.SUSTAINED


def test_an_event_on_the_first_and_the_last_day_of_the_window_is_a_relapse() -> None:
    assert _judge([1]).state == SustainState.RELAPSED
    assert _judge([183]).state == SustainState.RELAPSED


def test_an_event_the_day_after_the_window_does_not_undo_sustained_progress() -> None:
    assert _judge([184]).state == SustainState.SUSTAINED


def test_the_window_is_pending_until_it_has_passed() -> None:
    assert _judge([], as_of=END + dt.timedelta(days=182)).state == SustainState.PENDING
    assert _judge([], as_of=END + dt.timedelta(days=183)).state == SustainState.SUSTAINED


def test_support_that_has_not_ended_is_pending() -> None:
    result = evaluate_sustained(
        concern_dates=[], support_ended_on=None, rule=RULE, as_of=LATE, data_covers_until=LATE
    )
    assert result.state == SustainState.PENDING


@relaxed
@given(offs=offsets, as_of=days, covers=days)
def test_sustained_means_a_clean_window_that_has_passed_and_the_data_cover(
    offs: list[int], as_of: int, covers: int
) -> None:
    result = _judge(
        offs, as_of=END + dt.timedelta(days=as_of), covers=END + dt.timedelta(days=covers)
    )
    if result.state == SustainState.SUSTAINED:
        assert as_of >= 183
        assert covers >= 183
        assert not any(1 <= o <= 183 for o in offs)


@relaxed
@given(offs=offsets, covers=st.integers(min_value=0, max_value=182))
def test_a_gap_in_the_data_before_the_window_ends_is_never_sustained(
    offs: list[int], covers: int
) -> None:
    assert _judge(offs, covers=END + dt.timedelta(days=covers)).state != SustainState.SUSTAINED


@relaxed
@given(offs=offsets, relapse=st.integers(min_value=1, max_value=183))
def test_a_relapse_inside_the_window_is_found_once_the_data_reach_it(
    offs: list[int], relapse: int
) -> None:
    result = _judge(
        [*offs, relapse],
        as_of=END + dt.timedelta(days=relapse),
        covers=END + dt.timedelta(days=relapse),
    )
    assert result.state == SustainState.RELAPSED
    assert result.relapsed_on is not None
    assert result.relapsed_on <= END + dt.timedelta(days=relapse)


@relaxed
@given(
    offs=offsets,
    outside=st.lists(st.one_of(st.integers(-400, 0), st.integers(184, 600)), max_size=5),
)
def test_events_outside_the_window_change_nothing(offs: list[int], outside: list[int]) -> None:
    assert _judge(offs).state == _judge([*offs, *outside]).state


@relaxed
@given(offs=offsets, allowed=st.integers(min_value=0, max_value=3))
def test_a_tolerance_of_n_events_relapses_only_on_the_next(offs: list[int], allowed: int) -> None:
    rule = SustainedRule(window_days=183, anchor="end_of_support", max_events=allowed)
    inside = sum(1 for o in offs if 1 <= o <= 183)
    assert (_judge(offs, rule=rule).state == SustainState.RELAPSED) == (inside > allowed)


PROPOSAL = ProposalRule(baseline_days=365)
ENGAGED = dt.date(2025, 1, 1)
# Worse to met. "Cannot tell yet" ranks with "no change": neither says better or worse.
RANK = {
    ProposedStatus.WORSE: 0,
    ProposedStatus.NO_CHANGE: 1,
    ProposedStatus.CANNOT_TELL: 1,
    ProposedStatus.IMPROVING: 2,
    ProposedStatus.MET: 3,
}


def _proposal(offs: list[int], review: int, rule: ProposalRule = PROPOSAL) -> Proposal:
    return propose_status(
        concern_dates=[ENGAGED + dt.timedelta(days=o) for o in offs],
        engaged_on=ENGAGED,
        review_on=ENGAGED + dt.timedelta(days=review),
        rule=rule,
    )


def _propose(offs: list[int], review: int) -> ProgressStatus:
    return _proposal(offs, review).status


MONTHLY = [-30 * k for k in range(1, 13)]  # twelve concern events in the year before
baseline = st.lists(st.integers(-365, -1), max_size=15)
support = st.lists(st.integers(0, 400), max_size=6)
reviews = st.integers(0, 400)


def test_a_monthly_need_quiet_for_most_of_a_year_since_engagement_is_proposed_met() -> None:
    assert _propose([*MONTHLY, 5], review=130) != ProgressStatus.MET  # 125 quiet days
    proposal = _proposal([*MONTHLY, 5], review=300)
    assert proposal.status == ProgressStatus.MET
    assert proposal.quiet
    assert proposal.chance is not None
    assert proposal.chance < PROPOSAL.significance
    assert "most likely stopped" in proposal.reason


def test_a_need_that_came_twice_a_year_and_went_quiet_is_not_yet_met() -> None:
    """Less often and stopped look alike for a while: the data say they cannot yet tell."""
    proposal = _proposal([-200, -30, 5], review=130)
    assert proposal.status == ProgressStatus.NO_CHANGE
    assert not proposal.quiet  # 125 days is less than the family's usual gap of 182
    assert "not a clear change" in proposal.reason


def test_the_same_silence_is_met_for_a_frequent_need_and_not_for_a_rare_one() -> None:
    assert _propose([*MONTHLY], review=200) == ProgressStatus.MET
    assert _propose([-100, -40], review=200) != ProgressStatus.MET


def test_the_significance_level_is_read_from_the_framework_not_fixed_in_code() -> None:
    strict = ProposalRule(baseline_days=365, margin=0.5, significance=0.001)
    assert _proposal(MONTHLY, 200).status == ProgressStatus.MET  # chance about 0.4%
    assert _proposal(MONTHLY, 200, strict).status != ProgressStatus.MET


def test_a_silence_the_records_never_broke_before_engagement_cannot_tell() -> None:
    proposal = _proposal([], review=200)
    assert proposal.status == ProposedStatus.CANNOT_TELL
    assert proposal.status.label == "Cannot tell yet"
    assert not proposal.quiet  # records that never showed the need cannot vouch for "met"
    assert "cannot show a change" in proposal.reason


def test_a_clear_fall_in_the_rate_is_improving_and_a_clear_rise_is_worse() -> None:
    fortnightly = [-15 * k for k in range(1, 25)]
    assert _propose([*fortnightly, 20, 150], review=200) == ProgressStatus.IMPROVING
    assert _propose([-200, 10, 20, 40, 60], review=90) == ProgressStatus.WORSE


def test_a_quiet_fortnight_is_not_met_nor_no_change_the_data_cannot_tell_yet() -> None:
    proposal = _proposal([-30, -10], review=14)
    assert proposal.status == ProposedStatus.CANNOT_TELL
    assert "too soon to tell" in proposal.reason


def test_no_change_is_proposed_only_while_the_need_is_still_seen() -> None:
    still_monthly = [*MONTHLY, *(30 * k for k in range(0, 7))]  # and monthly since
    proposal = _proposal(still_monthly, review=190)
    assert proposal.status == ProposedStatus.NO_CHANGE
    assert "still seen" in proposal.reason


def test_records_that_end_before_engagement_cannot_tell() -> None:
    proposal = propose_status(
        concern_dates=[ENGAGED - dt.timedelta(days=40)],
        engaged_on=ENGAGED,
        review_on=ENGAGED + dt.timedelta(days=100),
        rule=PROPOSAL,
        covers_until=ENGAGED - dt.timedelta(days=1),
    )
    assert proposal.status == ProposedStatus.CANNOT_TELL


def test_a_practitioner_accepting_cannot_tell_records_no_change() -> None:
    assert ProposedStatus.CANNOT_TELL.as_recorded() == ProgressStatus.NO_CHANGE
    assert ProposedStatus.MET.as_recorded() == ProgressStatus.MET


@relaxed
@given(before=baseline, since=support, review=reviews)
def test_met_is_proposed_only_when_the_silence_is_improbable_at_the_reduced_rate(
    before: list[int], since: list[int], review: int
) -> None:
    since = [s for s in since if s <= review]
    proposal = _proposal([*before, *since], review)
    quiet_for = review - max(since) if since else review + 1
    assert proposal.quiet_for == quiet_for
    if proposal.status == ProgressStatus.MET:
        chance = math.exp(-(1 - PROPOSAL.margin) * len(before) / 365 * quiet_for)
        assert before
        assert proposal.chance == pytest.approx(chance)
        assert chance < PROPOSAL.significance
        assert proposal.quiet


@relaxed
@given(before=baseline, since=support, review=reviews)
def test_the_data_are_quiet_only_after_the_familys_usual_gap_and_only_if_they_saw_the_need(
    before: list[int], since: list[int], review: int
) -> None:
    since = [s for s in since if s <= review]
    proposal = _proposal([*before, *since], review)
    usual_gap = 365 / len(before) if before else None
    assert proposal.quiet == (usual_gap is not None and proposal.quiet_for >= usual_gap)


@relaxed
@given(before=baseline, since=support, review=reviews)
def test_improving_and_worse_need_a_significant_change_of_the_familys_own_rate(
    before: list[int], since: list[int], review: int
) -> None:
    since = [s for s in since if s <= review]
    proposal = _proposal([*before, *since], review)
    assert proposal.p_fell is not None
    assert proposal.p_rose is not None
    assert 0 <= proposal.p_fell <= 1
    assert 0 <= proposal.p_rose <= 1
    if proposal.status == ProgressStatus.IMPROVING:
        assert proposal.p_fell < PROPOSAL.significance
    if proposal.status == ProgressStatus.WORSE:
        assert proposal.p_rose < PROPOSAL.significance
        assert len(since) / (review + 1) > len(before) / 365


@relaxed
@given(before=baseline, since=support, review=reviews, extra=st.integers(0, 400))
def test_one_more_event_since_engagement_never_makes_the_proposal_better(
    before: list[int], since: list[int], review: int, extra: int
) -> None:
    since = [s for s in since if s <= review]
    extra = min(extra, review)
    was = RANK[_propose([*before, *since], review)]
    assert RANK[_propose([*before, *since, extra], review)] <= was


@relaxed
@given(before=baseline, since=support, review=reviews, extra=st.integers(-365, -1))
def test_a_busier_history_before_engagement_never_makes_the_proposal_worse(
    before: list[int], since: list[int], review: int, extra: int
) -> None:
    since = [s for s in since if s <= review]
    was = RANK[_propose([*before, *since], review)]
    assert RANK[_propose([*before, extra, *since], review)] >= was


@relaxed
@given(
    events=st.integers(0, 30),
    quiet=st.integers(0, 1000),
    longer=st.integers(0, 500),
    margin=st.floats(0.05, 0.95),
)
def test_a_longer_silence_or_a_busier_history_is_never_more_probable(
    events: int, quiet: int, longer: int, margin: float
) -> None:
    base = quiet_chance(events_before=events, baseline_days=365, margin=margin, quiet_for=quiet)
    assert 0 < base <= 1
    assert (
        quiet_chance(
            events_before=events, baseline_days=365, margin=margin, quiet_for=quiet + longer
        )
        <= base
    )
    assert (
        quiet_chance(events_before=events + 1, baseline_days=365, margin=margin, quiet_for=quiet)
        <= base
    )


@relaxed
@given(before=st.integers(0, 40), since=st.integers(0, 40), days=st.integers(1, 800))
def test_the_rate_tests_agree_with_the_direction_of_the_change(
    before: int, since: int, days: int
) -> None:
    fell, rose = rate_change(
        events_before=before, baseline_days=365, events_since=since, days_since=days
    )
    if since / days > before / 365:
        assert fell >= rose
    if since / days < before / 365:
        assert rose >= fell


@relaxed
@given(
    before=st.lists(st.integers(-365, -1), max_size=6),
    since=st.lists(st.integers(0, 300), max_size=6),
    review=st.integers(0, 300),
)
def test_met_is_never_proposed_with_an_event_in_the_last_month(
    before: list[int], since: list[int], review: int
) -> None:
    since = [s for s in since if s <= review]
    status = _propose([*before, *since], review)
    if any(review - 30 < s <= review for s in since):
        assert status != ProgressStatus.MET


def _need(status: ProgressStatus | None, state: SustainState) -> NeedOutcome:
    return NeedOutcome("d", status, SustainResult(state, "why"))


def test_an_outcome_needs_every_need_met_and_sustained() -> None:
    ok = _need(ProgressStatus.MET, SustainState.SUSTAINED)
    assert family_outcome([ok, ok, ok], min_needs=3).achieved
    assert not family_outcome(
        [ok, ok, _need(ProgressStatus.IMPROVING, SustainState.SUSTAINED)]
    ).achieved
    assert not family_outcome([ok, ok, _need(ProgressStatus.MET, SustainState.RELAPSED)]).achieved
    assert not family_outcome([ok, ok], min_needs=3).achieved


def test_an_outcome_reason_names_needs_in_words_not_keys() -> None:
    met = NeedOutcome(
        "school_attendance", ProgressStatus.MET, SustainResult(SustainState.SUSTAINED, "")
    )
    open_needs = [
        NeedOutcome(
            "domestic_abuse", ProgressStatus.IMPROVING, SustainResult(SustainState.PENDING, "")
        ),
        NeedOutcome("debt_and_arrears", None, SustainResult(SustainState.PENDING, "")),
    ]
    reason = family_outcome([met, *open_needs]).reason
    assert reason == "Not met at the last review: Domestic abuse and Debt and arrears."
    relapsed = NeedOutcome(
        "school_attendance",
        ProgressStatus.MET,
        SustainResult(SustainState.RELAPSED, "a concern in May"),
    )
    assert family_outcome([relapsed]).reason == "School attendance: a concern in May"


def test_equivalent_progress_is_an_outcome_by_decision() -> None:
    result = family_outcome(
        [_need(ProgressStatus.IMPROVING, SustainState.PENDING)], equivalent_progress=True
    )
    assert result.achieved
    assert result.basis == "equivalent_progress"


def test_a_need_recorded_met_against_the_datas_proposal_is_not_claimable() -> None:
    ok = _need(ProgressStatus.MET, SustainState.SUSTAINED)
    disputed = NeedOutcome(
        "school",
        ProgressStatus.MET,
        SustainResult(SustainState.SUSTAINED, "why"),
        ProgressStatus.WORSE,
    )
    result = family_outcome([ok, ok, disputed], min_needs=3)
    assert not result.achieved
    assert "the data at that review proposed worse" in result.reason
    agreed = NeedOutcome(
        "school",
        ProgressStatus.MET,
        SustainResult(SustainState.SUSTAINED, "why"),
        ProgressStatus.MET,
    )
    assert family_outcome([ok, ok, agreed], min_needs=3).achieved


def test_data_that_cannot_tell_do_not_stand_behind_a_met_unless_they_were_quiet() -> None:
    """Records that never showed the need cannot vouch for "met": the claim then needs a new
    review or an equivalent progress decision, as a "no change" proposal did."""
    ok = _need(ProgressStatus.MET, SustainState.SUSTAINED)
    sustained = SustainResult(SustainState.SUSTAINED, "why")
    unsure = NeedOutcome("da", ProgressStatus.MET, sustained, ProposedStatus.CANNOT_TELL)
    result = family_outcome([ok, ok, unsure], min_needs=3)
    assert not result.achieved
    assert "recorded as met, but the data at that review could not tell yet" in result.reason
    quiet = NeedOutcome("da", ProgressStatus.MET, sustained, ProposedStatus.CANNOT_TELL, True)
    assert family_outcome([ok, ok, quiet], min_needs=3).achieved


def test_quiet_data_that_cannot_confirm_met_do_not_stand_against_the_practitioner() -> None:
    ok = _need(ProgressStatus.MET, SustainState.SUSTAINED)
    sustained = SustainResult(SustainState.SUSTAINED, "why")
    quiet = NeedOutcome("da", ProgressStatus.MET, sustained, ProgressStatus.IMPROVING, True)
    assert family_outcome([ok, ok, quiet], min_needs=3).achieved
    events = NeedOutcome("da", ProgressStatus.MET, sustained, ProgressStatus.IMPROVING, False)
    result = family_outcome([ok, ok, events], min_needs=3)
    assert not result.achieved
    assert "proposed improving" in result.reason


@relaxed
@given(
    offs=st.lists(st.integers(-365, 300), max_size=6),
    review=st.integers(0, 300),
    covers=st.integers(-30, 299),
)
def test_met_is_never_proposed_beyond_what_the_records_cover(
    offs: list[int], review: int, covers: int
) -> None:
    if covers >= review:
        return
    dates = [ENGAGED + dt.timedelta(days=o) for o in offs]
    proposal = propose_status(
        concern_dates=dates,
        engaged_on=ENGAGED,
        review_on=ENGAGED + dt.timedelta(days=review),
        rule=PROPOSAL,
        covers_until=ENGAGED + dt.timedelta(days=covers),
    )
    assert proposal.status != ProgressStatus.MET
