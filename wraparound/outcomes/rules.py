"""The progress and sustained-progress rules, as pure functions of dated concern events.

A "concern event" is an event of one of a descriptor's ``concern_kinds`` (a persistent-absence
return, a police call-out, a possession notice, a domestic abuse incident ...) in the records of
the family's members. The same functions serve the review page (proposals explained from the
records read), the claim engine and the benchmark, so what the bench scores is what users see.
No Django here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from wraparound.core.plain_words import humanise, listed
from wraparound.outcomes.framework import ProposalRule, SustainedRule

# _STATS_WHY: scipy.stats is imported where it is used, not here. The models import this
# module (for ProgressStatus), so every process would pay for it: over a second at start-up
# on a 2-core machine, for every `wraparound` command and web worker.


class ProgressStatus(StrEnum):
    """A need's status at a review, as the practitioner records it (or the data proposes it)."""

    WORSE = "worse"
    NO_CHANGE = "no_change"
    IMPROVING = "improving"
    MET = "met"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class ProposedStatus(StrEnum):
    """What the data propose at a review: one of a practitioner's statuses, or that they cannot
    tell yet.

    A test that finds no clear change is not evidence of no change: a need that never showed
    in the records, or fell silent too briefly to tell "stopped" from "less often", is *cannot
    tell yet*, so the review page pre-selects nothing and the practitioner judges. "No change"
    is proposed only while the need is still seen at about its old rate. The values of the
    four shared statuses are the practitioner's (a StrEnum compares equal to them).
    """

    WORSE = "worse"
    NO_CHANGE = "no_change"
    IMPROVING = "improving"
    MET = "met"
    CANNOT_TELL = "cannot_tell"

    @property
    def label(self) -> str:
        if self is ProposedStatus.CANNOT_TELL:
            return "Cannot tell yet"
        return self.value.replace("_", " ").capitalize()

    def as_recorded(self) -> ProgressStatus:
        """The status a practitioner who accepts the proposal records: *no change* where the
        data cannot tell (a review records a status; "cannot tell" is not one)."""
        if self is ProposedStatus.CANNOT_TELL:
            return ProgressStatus.NO_CHANGE
        return ProgressStatus(self.value)


class SustainState(StrEnum):
    """Whether progress against a need has held through its window after support ended."""

    SUSTAINED = "sustained"
    RELAPSED = "relapsed"
    PENDING = "pending"


@dataclass(frozen=True)
class Proposal:
    status: ProposedStatus
    reason: str
    events_before: int
    events_since: int
    # Days without a concern event up to the last day the records reach (since the last event
    # after engagement, or since engagement).
    quiet_for: int = 0
    # The silence is at least as long as the family's usual gap between events before
    # engagement: the data do not contradict a practitioner's "met", even when they are too
    # brief to confirm it themselves. Never quiet when the records hold no event of the need
    # before engagement: they cannot vouch for a need they never showed.
    quiet: bool = False
    # The chance of a silence this long were the need still present at the reduced rate.
    chance: float | None = None
    # One-sided p-values of "the rate fell" and "the rate rose" since engagement.
    p_fell: float | None = None
    p_rose: float | None = None


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


def coverage_from(
    latest: Mapping[Any, dt.date], recorders: Mapping[str, set[Any]], kinds: Iterable[str]
) -> dict[str, dt.date]:
    """Up to when the data reach for each kind of event.

    ``latest``: each agency's latest current event of any kind; ``recorders``: the agencies
    whose current extracts record each kind. A kind is covered as far as the least current of
    its recorders; a kind none records only as far as the least current agency, so an absence
    of events is never read as evidence beyond what the data reach. The pages
    (``sources.coverage_by_kind``) and the benchmark both decide coverage here.
    """
    floor = min(latest.values(), default=dt.date.min)
    return {k: min((latest[a] for a in recorders.get(k, ())), default=floor) for k in kinds}


def quiet_chance(*, events_before: int, baseline_days: int, margin: float, quiet_for: int) -> float:
    """How likely ``quiet_for`` days without a concern event are if the need is still present.

    "Still present" means the family's own pre-engagement rate (``events_before`` in
    ``baseline_days``) reduced by ``margin``. Concern events are taken as a Poisson process
    at that rate, so the number in the quiet period is Poisson with mean rate x days and the
    chance of none is its probability of zero, exp(-rate x days). The same holds for a gap
    since the last event ending at the review (the process has no memory). A small chance
    means the silence is unlikely to be "less often": the need has most likely stopped.
    """
    from scipy import stats  # here, not at the top: see _STATS_WHY

    reduced_rate = (1 - margin) * events_before / baseline_days
    return float(stats.poisson.pmf(0, reduced_rate * quiet_for))


def rate_change(
    *, events_before: int, baseline_days: int, events_since: int, days_since: int
) -> tuple[float, float]:
    """One-sided p-values that the concern-event rate fell, and that it rose, since engagement.

    The exact conditional test for two Poisson rates: given all ``n`` events of the two
    periods, the number since engagement is binomial with p = days since / (days since +
    baseline days) when the rate has not changed (``scipy.stats.binomtest``). It needs no
    large counts, which matters here: most families have a handful of events a year, where a
    normal approximation would call noise a change.
    """
    from scipy import stats  # here, not at the top: see _STATS_WHY

    total = events_before + events_since
    if total == 0:
        return 1.0, 1.0
    share = days_since / (days_since + baseline_days)
    fell = stats.binomtest(events_since, total, share, alternative="less").pvalue
    rose = stats.binomtest(events_since, total, share, alternative="greater").pvalue
    return float(fell), float(rose)


def propose_status(
    *,
    concern_dates: Sequence[dt.date],
    engaged_on: dt.date,
    review_on: dt.date,
    rule: ProposalRule,
    covers_until: dt.date | None = None,
) -> Proposal:
    """Propose worse / no change / improving / met from the family's own concern-event rate.

    The family's baseline is its rate in the ``baseline_days`` before engagement; every test
    is against that rate, at the framework's ``significance`` (data, not code), so a need
    that came monthly and a need that came twice a year are judged by their own history
    rather than by one fixed quiet period for all:

    - *met*: no concern event for the last ``t`` days, and under the baseline rate reduced by
      ``margin`` (the need still there, only less often) a silence that long would have had a
      chance exp(-rate x t) below ``significance``; the data cannot tell "less often" from
      "stopped" until then;
    - *improving* / *worse*: the rate since engagement is significantly lower / higher than
      the baseline rate (``rate_change``);
    - otherwise *no change* while the need is still seen (an event since engagement, and no
      silence as long as the family's usual gap), and *cannot tell yet* when it is not: no
      event before engagement or since (the records' silence then shows nothing either way),
      or a silence too short for *met* ("stopped" and "less often" still look alike).

    When the records reach only ``covers_until``, before the review, events are judged up to
    that day and "met" is never proposed: silence the data cannot see is not progress; records
    that end before engagement cannot tell.
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
        return Proposal(ProposedStatus.CANNOT_TELL, reason, before, 0)
    since_dates = [d for d in concern_dates if engaged_on <= d <= seen]
    since = len(since_dates)
    elapsed = (seen - engaged_on).days + 1
    quiet_for = (seen - max(since_dates)).days if since_dates else elapsed
    usual_gap = rule.baseline_days / before if before else None
    # With no event before engagement the records never showed the need: their silence since
    # neither confirms nor fails to contradict a "met", so it is not quiet.
    quiet = usual_gap is not None and quiet_for >= usual_gap
    fell, rose = rate_change(
        events_before=before,
        baseline_days=rule.baseline_days,
        events_since=since,
        days_since=elapsed,
    )
    gap = "" if seen == review_on else f" The records reach only {seen:%d %b %Y}."
    facts = (
        f"{since} concern event(s) in the {elapsed} days since engagement, against {before} in "
        f"the {rule.baseline_days} days before"
    )

    def proposal(status: ProposedStatus, reason: str, chance: float | None = None) -> Proposal:
        return Proposal(
            status, reason, before, since, quiet_for, quiet, chance, p_fell=fell, p_rose=rose
        )

    if before == 0 and since == 0:
        reason = (
            f"No concern event in the {rule.baseline_days} days before engagement or since, so "
            "the records' silence cannot show a change, nor stand behind a status of met: judge "
            "from what the family and the services say, and record equivalent progress if it "
            f"is met.{gap}"
        )
        return proposal(ProposedStatus.CANNOT_TELL, reason)
    chance = None
    if before:
        chance = quiet_chance(
            events_before=before,
            baseline_days=rule.baseline_days,
            margin=rule.margin,
            quiet_for=quiet_for,
        )
    still = (
        f"No concern event for {quiet_for} days. Were the need still there at "
        f"{1 - rule.margin:.0%} of the rate before engagement, a silence this long would "
        f"happen {_percent(chance)} of the time"
        if chance is not None
        else ""
    )
    if chance is not None and chance < rule.significance and not gap:
        return proposal(
            ProposedStatus.MET, f"{still}, so the need has most likely stopped.", chance
        )
    if fell < rule.significance:
        tell = f" {still}: not yet enough to tell stopped from less often." if quiet else ""
        reason = f"{facts}: less often than before.{tell}{gap}"
        return proposal(ProposedStatus.IMPROVING, reason, chance)
    if rose < rule.significance:
        return proposal(ProposedStatus.WORSE, f"{facts}: more often than before.{gap}", chance)
    unclear = (
        f"{facts}: not a clear change from the family's own rate before (at the "
        f"{rule.significance:.0%} level)"
    )
    if since == 0 or quiet:
        reason = (
            f"{unclear}, and no concern event for {quiet_for} days: too soon to tell whether "
            f"the need stopped, comes less often or carries on as before.{gap}"
        )
        return proposal(ProposedStatus.CANNOT_TELL, reason, chance)
    return proposal(ProposedStatus.NO_CHANGE, f"{unclear}: the need is still seen.{gap}", chance)


def _percent(chance: float | None) -> str:
    if chance is None:
        return ""
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
    # they were quiet then (no concern event for at least the family's usual gap between
    # events before engagement: no contradiction of "met").
    proposed_status: ProposedStatus | None = None
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
    review do not contradict it: they proposed met, or were quiet (no concern event for at
    least the family's usual gap between events before engagement) even if too briefly to
    confirm it themselves. A concern event more recent than that is a disagreement, resolved
    by a new review or by an equivalent progress decision with its reason and approver. Then
    the window must be sustained.
    """
    if equivalent_progress:
        return FamilyOutcome(
            True, "equivalent_progress", "An equivalent progress decision is recorded."
        )
    if len(needs) < min_needs:
        return FamilyOutcome(
            False, "", f"The baseline has {len(needs)} need(s); at least {min_needs} are required."
        )
    # Reasons are shown on the family page: needs in words, never their keys.
    not_met = [humanise(n.descriptor) for n in needs if n.last_status != ProgressStatus.MET]
    if not_met:
        return FamilyOutcome(False, "", f"Not met at the last review: {listed(not_met)}.")
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
            f"{humanise(descriptor)}: recorded as met, but the data at that review "
            + (
                "could not tell yet"
                if proposed == ProposedStatus.CANNOT_TELL
                else f"proposed {proposed.label.lower()}"
            )
            + "; review it again or record equivalent progress.",
        )
    unsustained = [n for n in needs if n.sustain.state != SustainState.SUSTAINED]
    if unsustained:
        first = unsustained[0]
        return FamilyOutcome(False, "", f"{humanise(first.descriptor)}: {first.sustain.reason}")
    return FamilyOutcome(True, "sustained", "Every baseline need met and sustained.")
