"""The progress and sustained-progress rules, as pure functions of dated concern events.

A "concern event" is an event of one of a descriptor's ``concern_kinds`` (a persistent-absence
return, a police call-out, a possession notice, a domestic abuse incident ...) in the records of
the family's members. The same functions serve the review page (proposals explained from the
records read), the claim engine and the benchmark, so what the bench scores is what users see.
No Django here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from wraparound.outcomes.framework import ProposalRule, SustainedRule


class ProgressStatus(StrEnum):
    """A need's status at a review, as the practitioner records it (or the data proposes it)."""

    WORSE = "worse"
    NO_CHANGE = "no_change"
    IMPROVING = "improving"
    MET = "met"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class SustainState(StrEnum):
    """Whether progress against a need has held through its window after support ended."""

    SUSTAINED = "sustained"
    RELAPSED = "relapsed"
    PENDING = "pending"


@dataclass(frozen=True)
class Proposal:
    status: ProgressStatus
    reason: str
    events_before: int
    events_since: int
    events_recent: int
    # No concern event in the quiet period up to the review, on data that reach it: the data
    # do not contradict a practitioner's "met" (they may still be unable to confirm it).
    quiet: bool = False
    # The chance of a gap this long were the need still present at the reduced rate.
    chance: float | None = None


@dataclass(frozen=True)
class SustainResult:
    state: SustainState
    reason: str
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    events_in_window: int = 0
    relapsed_on: dt.date | None = None


def _count(dates: Iterable[dt.date], start: dt.date, end: dt.date) -> int:
    """Events from ``start`` to ``end``, both included."""
    return sum(1 for d in dates if start <= d <= end)


def quiet_chance(*, events_before: int, baseline_days: int, margin: float, quiet_for: int) -> float:
    """How likely ``quiet_for`` days without a concern event are if the need is still present.

    "Still present" means the family's own pre-engagement rate (``events_before`` in
    ``baseline_days``) reduced by ``margin``; concern events are taken as a Poisson process,
    so the chance of none in the quiet period is exp(-rate x days). A small chance means the
    silence is unlikely to be "less often": the need has most likely stopped.
    """
    reduced_rate = (1 - margin) * events_before / baseline_days
    return math.exp(-reduced_rate * quiet_for)


def propose_status(
    *,
    concern_dates: Sequence[dt.date],
    engaged_on: dt.date,
    review_on: dt.date,
    rule: ProposalRule,
    covers_until: dt.date | None = None,
) -> Proposal:
    """Propose worse / no change / improving / met from the concern events around engagement.

    Met needs a quiet period the family's own history makes improbable for a need still
    present: no concern event in the last ``quiet_days`` (and at least that long since
    engagement), and a chance below ``significance`` of a gap as long as the one since the
    last event (or since engagement) if events still came at the pre-engagement rate reduced
    by ``margin``. Quiet but not improbable (a need that came twice a year, quiet for five
    months) is *improving*: the data cannot tell "less often" from "stopped", and say so.
    Otherwise the rate since engagement is compared with the rate in the ``baseline_days``
    before it. When the records reach only ``covers_until``, before the review, events are
    judged up to that day and "met" is never proposed: silence the data cannot see is not
    progress.
    """
    if review_on < engaged_on:
        raise ValueError("A review cannot be before the engagement it reviews.")
    seen = review_on if covers_until is None else min(review_on, covers_until)
    before = _count(
        concern_dates,
        engaged_on - dt.timedelta(days=rule.baseline_days),
        engaged_on - dt.timedelta(days=1),
    )
    if seen < engaged_on:
        reason = f"The records reach only {seen:%d %b %Y}, before engagement: nothing to judge yet."
        return Proposal(ProgressStatus.NO_CHANGE, reason, before, 0, 0)
    since_dates = [d for d in concern_dates if engaged_on <= d <= seen]
    since = len(since_dates)
    recent = _count(concern_dates, seen - dt.timedelta(days=rule.quiet_days - 1), seen)
    elapsed = (seen - engaged_on).days + 1
    rate_before = before / rule.baseline_days
    rate_since = since / elapsed
    gap = "" if seen == review_on else f" The records reach only {seen:%d %b %Y}."
    counts = (before, since, recent)
    if recent == 0 and elapsed >= rule.quiet_days:
        if gap:
            reason = f"No concern event in the {rule.quiet_days} days the records cover.{gap}"
            return Proposal(ProgressStatus.IMPROVING, reason, *counts)
        quiet_for = (seen - max(since_dates)).days if since_dates else elapsed
        return _quiet_proposal(rule, quiet_for, counts)
    if since and rate_since > rate_before:
        reason = (
            f"{since} concern event(s) in {elapsed} days since engagement, against {before} in "
            f"the {rule.baseline_days} days before: more often than before.{gap}"
        )
        return Proposal(ProgressStatus.WORSE, reason, *counts)
    if rate_since < rate_before:
        reason = (
            f"{since} concern event(s) in {elapsed} days since engagement, against {before} in "
            f"the {rule.baseline_days} days before: less often than before.{gap}"
        )
        return Proposal(ProgressStatus.IMPROVING, reason, *counts)
    reason = (
        f"{since} concern event(s) since engagement, at the same rate as before ({before}).{gap}"
    )
    return Proposal(ProgressStatus.NO_CHANGE, reason, *counts)


def _quiet_proposal(rule: ProposalRule, quiet_for: int, counts: tuple[int, int, int]) -> Proposal:
    """A quiet period up to the review: met only if improbable for a need still present."""
    before = counts[0]
    quiet = f"No concern event for {quiet_for} days up to the review."
    if before == 0:
        reason = (
            f"{quiet} The records hold none in the {rule.baseline_days} days before engagement "
            "either, so their silence cannot show a change: judge from what the family and "
            "the services say."
        )
        return Proposal(ProgressStatus.NO_CHANGE, reason, *counts, quiet=True)
    chance = quiet_chance(
        events_before=before,
        baseline_days=rule.baseline_days,
        margin=rule.margin,
        quiet_for=quiet_for,
    )
    still = (
        f"Before engagement there were {before} in {rule.baseline_days} days; if the need were "
        f"still there at {1 - rule.margin:.0%} of that rate, a gap this long would happen "
        f"{_percent(chance)} of the time"
    )
    if chance < rule.significance:
        reason = f"{quiet} {still}, so the need has most likely stopped."
        return Proposal(ProgressStatus.MET, reason, *counts, quiet=True, chance=chance)
    reason = (
        f"{quiet} {still}: the data cannot yet tell stopped from less often. Whether it is met "
        "is for you to judge from what the family and the services say."
    )
    return Proposal(ProgressStatus.IMPROVING, reason, *counts, quiet=True, chance=chance)


def _percent(chance: float) -> str:
    return "less than 1%" if chance < 0.01 else f"{chance:.0%}"


def evaluate_sustained(
    *,
    concern_dates: Sequence[dt.date],
    support_ended_on: dt.date | None,
    rule: SustainedRule,
    as_of: dt.date,
    data_covers_until: dt.date,
) -> SustainResult:
    """Has progress held for the window after support ended, on the data available?

    The window is the ``window_days`` days after the day support ended (an event on that day
    belongs to the support period). More than ``max_events`` concern events in the window is a
    relapse as soon as it is seen. Sustained needs the whole window to have passed *and* to be
    covered by the source data: a window the data does not yet reach is pending, never assumed
    clean.
    """
    if support_ended_on is None:
        return SustainResult(SustainState.PENDING, "Support has not ended yet.")
    start = support_ended_on + dt.timedelta(days=1)
    end = support_ended_on + dt.timedelta(days=rule.window_days)
    seen_until = min(as_of, data_covers_until, end)
    in_window = sorted(d for d in concern_dates if start <= d <= seen_until)

    def result(
        state: SustainState, reason: str, relapsed_on: dt.date | None = None
    ) -> SustainResult:
        return SustainResult(state, reason, start, end, len(in_window), relapsed_on)

    if len(in_window) > rule.max_events:
        relapse = in_window[rule.max_events]
        reason = f"Concern event on {relapse:%d %b %Y}, inside the window after support ended."
        return result(SustainState.RELAPSED, reason, relapse)
    if seen_until < end:
        reason = (
            f"The window runs to {end:%d %b %Y}; the data cover it up to {seen_until:%d %b %Y}."
        )
        return result(SustainState.PENDING, reason)
    reason = (
        f"No more than {rule.max_events} concern event(s) from {start:%d %b %Y} to {end:%d %b %Y}."
    )
    return result(SustainState.SUSTAINED, reason)


@dataclass(frozen=True)
class NeedOutcome:
    """One baseline need at the claim decision: its last review status and its window."""

    descriptor: str
    last_status: ProgressStatus | None
    sustain: SustainResult
    # What the data proposed at that review (None when nothing could be read), and whether
    # they were quiet then (no concern event in the quiet period: no contradiction of "met").
    proposed_status: ProgressStatus | None = None
    data_quiet: bool = False


@dataclass(frozen=True)
class FamilyOutcome:
    achieved: bool
    basis: str  # "sustained", "equivalent_progress" or ""
    reason: str


def family_outcome(
    needs: Sequence[NeedOutcome], *, equivalent_progress: bool = False, min_needs: int = 1
) -> FamilyOutcome:
    """Achieved only when every baseline need is met and sustained, or by a recorded decision.

    Two keys: the practitioner's status at the last review says met, and the data at that
    review do not contradict it: they proposed met, or were quiet (no concern event in the
    quiet period) even if too briefly to confirm it themselves. Concern events in the quiet
    period are a disagreement, resolved by a new review or by an equivalent progress decision
    with its reason and approver. Then the window must be sustained.
    """
    if equivalent_progress:
        return FamilyOutcome(
            True, "equivalent_progress", "An equivalent progress decision is recorded."
        )
    if len(needs) < min_needs:
        return FamilyOutcome(
            False, "", f"The baseline has {len(needs)} need(s); at least {min_needs} are required."
        )
    not_met = [n.descriptor for n in needs if n.last_status != ProgressStatus.MET]
    if not_met:
        return FamilyOutcome(False, "", f"Not met at the last review: {', '.join(not_met)}.")
    disputed = [
        (n.descriptor, n.proposed_status)
        for n in needs
        if n.proposed_status is not None
        and n.proposed_status != ProgressStatus.MET
        and not n.data_quiet
    ]
    if disputed:
        descriptor, proposed = disputed[0]
        return FamilyOutcome(
            False,
            "",
            f"{descriptor}: recorded as met, but the data at that review proposed "
            f"{proposed.label.lower()}; review it again or record equivalent progress.",
        )
    unsustained = [n for n in needs if n.sustain.state != SustainState.SUSTAINED]
    if unsustained:
        first = unsustained[0]
        return FamilyOutcome(False, "", f"{first.descriptor}: {first.sustain.reason}")
    return FamilyOutcome(True, "sustained", "Every baseline need met and sustained.")
