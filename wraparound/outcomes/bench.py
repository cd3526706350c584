"""Score the outcome rules against a synthetic county's planted trajectories.

For every engaged family and need in ``truth/trajectories.parquet``, the recorded concern
events (``truth/trajectory_events.parquet``) go through the same functions the pages use:
``rules.propose_status`` at the closing review, ``rules.evaluate_sustained`` for the window,
``rules.family_outcome`` for the claim decision. Agreement of proposals with the true status
at closure is reported per outcome. Claim precision is the share of claimed families whose
every need was truly met and sustained. No Django here.

Claims are scored twice. *Data only*: the practitioner records every proposal as it stands, so
the claim rests on the data alone. *With practitioner judgement*: the practitioner records the
true status at closure, but is over-optimistic (records "met" for a need that is not) with
probability ``OPTIMISM`` and over-cautious with probability ``CAUTION`` (a planted error model,
drawn from its own random stream). The second is how claims are made: the practitioner's
status at the review and the data's window together.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from wraparound.outcomes.framework import Descriptor, Framework, framework_for
from wraparound.outcomes.rules import (
    NeedOutcome,
    ProgressStatus,
    SustainState,
    evaluate_sustained,
    family_outcome,
    propose_status,
)

PRACTITIONER_STREAM = 7_000_017
OPTIMISM = 0.1
CAUTION = 0.05


def _practitioner(rng: np.random.Generator, true_status: str) -> ProgressStatus:
    if true_status != "met":
        return ProgressStatus.MET if rng.random() < OPTIMISM else ProgressStatus(true_status)
    return ProgressStatus.IMPROVING if rng.random() < CAUTION else ProgressStatus.MET


def _claims(families: dict[str, dict[str, Any]], key: str, min_needs: int) -> dict[str, Any]:
    claimed = truly = both = 0
    false_by: dict[str, int] = defaultdict(int)
    for family in families.values():
        decided = family_outcome(family[key], min_needs=min_needs)
        claimed += decided.achieved
        truly += family["truly_sustained"]
        both += decided.achieved and family["truly_sustained"]
        if decided.achieved and not family["truly_sustained"]:
            false_by[family["trajectory"]] += 1
    return {
        "claims": claimed,
        "families_truly_sustained": truly,
        "claim_precision": round(both / claimed, 4) if claimed else None,
        "claim_recall": round(both / truly, 4) if truly else None,
        "false_claims_by_trajectory": dict(false_by),
    }


def _descriptors(framework: Framework) -> dict[str, Descriptor]:
    """The descriptor each outcome's planted need is judged by (the outcome's first)."""
    first: dict[str, Descriptor] = {}
    for descriptor in framework.descriptors:
        first.setdefault(descriptor.outcome, descriptor)
    return first


def score_county(county: Path, *, as_of: dt.date, seed: int = 1) -> dict[str, Any]:
    """Agreement per outcome, claim precision and recall, and counts, as a JSON-ready dict."""
    truth = pl.read_parquet(county / "truth" / "trajectories.parquet")
    events = pl.read_parquet(county / "truth" / "trajectory_events.parquet")
    recorded: dict[tuple[str, str], list[dt.date]] = defaultdict(list)
    for family_id, outcome, when in events.select("family_id", "outcome", "event_date").iter_rows():
        recorded[(family_id, outcome)].append(when)
    return {
        **score_needs(
            truth,
            lambda row, _descriptor: recorded.get((row["family_id"], row["outcome"]), []),
            as_of=as_of,
            seed=seed,
        ),
        "recorded_concern_events": events.height,
    }


ConcernDates = Callable[[dict[str, Any], Descriptor], Sequence[dt.date]]
Coverage = Callable[[dict[str, Any], Descriptor], dt.date]


def score_needs(
    truth: pl.DataFrame,
    concern_dates: ConcernDates,
    *,
    as_of: dt.date,
    seed: int,
    covers: Coverage | None = None,
) -> dict[str, Any]:
    """Score every planted need, its concern events and coverage given by the caller.

    ``concern_dates(row, descriptor)``: the events the rules read for the truth row's need
    (the truth file's own, or those the linked records hold); ``covers``: up to when the data
    reach for it (default ``as_of``). The review is at the end of support, the claim
    decision at ``as_of``, the same functions as the pages.
    """
    framework = framework_for(as_of)
    descriptors = _descriptors(framework)
    agree: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    when_proposed: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    met_agree = 0
    families: dict[str, dict[str, Any]] = {}
    rng = np.random.default_rng([seed, PRACTITIONER_STREAM])
    for row in truth.iter_rows(named=True):
        descriptor = descriptors[row["outcome"]]
        dates = sorted(concern_dates(row, descriptor))
        closing = row["support_ended_on"]
        reach = as_of if covers is None else covers(row, descriptor)
        proposal = propose_status(
            concern_dates=[d for d in dates if d <= closing],
            engaged_on=row["engaged_on"],
            review_on=closing,
            rule=descriptor.proposal,
            covers_until=reach,
        )
        sustain = evaluate_sustained(
            concern_dates=dates,
            support_ended_on=closing,
            rule=descriptor.sustained,
            as_of=as_of,
            data_covers_until=reach,
        )
        tally = agree[row["outcome"]]
        tally[0] += proposal.status.value == row["status_at_closure"]
        tally[1] += 1
        met_agree += (proposal.status == ProgressStatus.MET) == (row["status_at_closure"] == "met")
        said = when_proposed[proposal.status.value]
        said[0] += proposal.status.value == row["status_at_closure"]
        said[1] += 1
        family = families.setdefault(
            row["family_id"],
            {
                "data_only": [],
                "judged": [],
                "truly_sustained": True,
                "trajectory": row["trajectory"],
            },
        )
        family["data_only"].append(
            NeedOutcome(descriptor.key, proposal.status.as_recorded(), sustain)
        )
        judged = _practitioner(rng, row["status_at_closure"])
        family["judged"].append(
            NeedOutcome(descriptor.key, judged, sustain, proposal.status, proposal.quiet)
        )
        family["truly_sustained"] &= bool(row["sustained"])
    pending = sum(
        any(n.sustain.state == SustainState.PENDING for n in f["data_only"])
        for f in families.values()
    )
    return {
        "framework": framework.version,
        "as_of": as_of.isoformat(),
        "engaged_families": len(families),
        "needs": truth.height,
        "agreement_by_outcome": {
            o: {"agreement": round(a / n, 3), "needs": n} for o, (a, n) in sorted(agree.items())
        },
        "agreement_overall": round(sum(a for a, _ in agree.values()) / max(1, truth.height), 3),
        "met_vs_not_met_agreement": round(met_agree / max(1, truth.height), 3),
        # How often each status is right when the data propose it (the data's own precision).
        "when_proposed": {
            s: {"proposed": n, "true_status_agrees": round(a / n, 3)}
            for s, (a, n) in sorted(when_proposed.items())
        },
        "claims_data_only": _claims(families, "data_only", framework.min_needs),
        "claims_with_practitioner_judgement": _claims(families, "judged", framework.min_needs),
        "practitioner_error_model": {"optimism": OPTIMISM, "caution": CAUTION},
        "families_with_a_pending_window": pending,
    }
