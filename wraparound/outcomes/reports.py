"""Aggregates: cohort dashboards, the quarterly return, claim-rate alerts, per-family results.

Every function here first asks ``gate.read_aggregate`` (purpose *outcomes evaluation,
aggregate*), which audits the release and refuses without an approved agreement. Counts shown
to people are suppressed (``needs.suppression``); the per-family results for the evaluation
app carry only pseudonymous family ids and are for its matched comparisons, never displayed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from django.utils import timezone

from wraparound.needs.reports import suppression_threshold
from wraparound.needs.suppression import Cell, suppress
from wraparound.outcomes import sources
from wraparound.outcomes.framework import framework_version
from wraparound.outcomes.models import Baseline, Claim, ClaimStatus
from wraparound.outcomes.rules import (
    ProgressStatus,
    evaluate_sustained,
    family_outcome,
)
from wraparound.outcomes.selectors import (
    AGGREGATE_PURPOSE,
    OutcomesAccessError,
    equivalent_approved,
    last_statuses,
    need_outcome,
)
from wraparound.sharing import gate

GROUPINGS = {"locality": "Locality", "lead_agency": "Lead agency", "service": "Service"}
MEASURES = ("families", "support_ended", "achieved", "claimed")


def _release(user: Any, description: str, request_id: str | None) -> None:
    decision = gate.read_aggregate(
        user=user, purpose=AGGREGATE_PURPOSE, description=description, request_id=request_id
    )
    if not decision.permitted:
        raise OutcomesAccessError(decision.reason)


@dataclass(frozen=True)
class FamilyOutcomeResult:
    """One family's outcome over a period: the row the evaluation app compares services on."""

    family_public_id: str
    service: str
    lead_agency: str
    locality: str
    engaged_on: dt.date
    support_ended_on: dt.date | None
    needs: int
    needs_met: int
    needs_sustained: int
    achieved: bool
    basis: str
    claim_status: str


def _result(baseline: Baseline, as_of: dt.date) -> FamilyOutcomeResult:
    framework = framework_version(baseline.framework_version)
    needs = list(baseline.baseline_needs.all())
    latest = last_statuses(baseline)
    kinds = {k for n in needs for k in framework.descriptor(n.descriptor).concern_kinds}
    events = sources.family_events(baseline.family_public_id, kinds)
    coverage = sources.coverage_by_kind(kinds)
    outcomes = []
    for need in needs:
        descriptor = framework.descriptor(need.descriptor)
        dates = [e.event_date for e in events if e.kind in descriptor.concern_kinds]
        sustain = evaluate_sustained(
            concern_dates=dates,
            support_ended_on=baseline.support_ended_on,
            rule=descriptor.sustained,
            as_of=as_of,
            data_covers_until=min(coverage[k] for k in descriptor.concern_kinds),
        )
        last = latest.get(need.pk)
        outcomes.append(need_outcome(need.descriptor, last, sustain))
    decided = family_outcome(
        outcomes, equivalent_progress=equivalent_approved(baseline), min_needs=framework.min_needs
    )
    claim = getattr(baseline, "claim", None)
    return FamilyOutcomeResult(
        family_public_id=baseline.family_public_id,
        service=baseline.service,
        lead_agency=baseline.lead_agency.slug,
        locality=baseline.locality,
        engaged_on=baseline.engaged_on,
        support_ended_on=baseline.support_ended_on,
        needs=len(outcomes),
        needs_met=sum(1 for o in outcomes if o.last_status == ProgressStatus.MET),
        needs_sustained=sum(1 for o in outcomes if o.sustain.state.value == "sustained"),
        achieved=decided.achieved,
        basis=decided.basis,
        claim_status=claim.status if claim is not None else "",
    )


def family_outcome_results(
    *,
    user: Any,
    start: dt.date,
    end: dt.date,
    as_of: dt.date | None = None,
    request_id: str | None = None,
) -> list[FamilyOutcomeResult]:
    """Per-family outcome results for families engaged from ``start`` to ``end`` (inclusive).

    Outcomes are judged on the data as of ``as_of`` (default today), so a family engaged in
    the period whose window has since passed counts as sustained.

    The selector the evaluation app reads to compare services. Released as an aggregate-purpose
    dataset (audited, agreement required); raises ``OutcomesAccessError`` when refused.
    """
    if end < start:
        raise ValueError("The period ends before it starts.")
    _release(user, f"Per-family outcome results for families engaged {start} to {end}", request_id)
    baselines = Baseline.objects.filter(engaged_on__gte=start, engaged_on__lte=end).select_related(
        "lead_agency"
    )
    return [
        _result(b, as_of or timezone.localdate())
        for b in baselines.prefetch_related("baseline_needs")
    ]


@dataclass
class CohortTable:
    grouping: str
    label: str
    rows: list[tuple[str, dict[str, Cell]]]
    threshold: int


def cohort_tables(*, user: Any, as_of: dt.date, request_id: str | None = None) -> list[CohortTable]:
    """Families with a baseline, support ended, outcome achieved and claimed, by each grouping."""
    _release(user, "Outcomes cohort dashboard by locality, lead agency and service", request_id)
    results = [
        _result(b, as_of)
        for b in Baseline.objects.select_related("lead_agency").prefetch_related("baseline_needs")
    ]
    threshold = suppression_threshold()
    tables = []
    for grouping, label in GROUPINGS.items():
        counts: dict[tuple[str, str], int] = Counter()
        groups = sorted({getattr(r, grouping) or "Not recorded" for r in results})
        for result in results:
            group = getattr(result, grouping) or "Not recorded"
            counts[(group, "families")] += 1
            counts[(group, "support_ended")] += result.support_ended_on is not None
            counts[(group, "achieved")] += result.achieved
            counts[(group, "claimed")] += bool(result.claim_status)
        values = {(g, m): counts.get((g, m), 0) for g in groups for m in MEASURES}
        # Each measure's column adds up across groups only with a total row; the total is not
        # published per grouping, so each cell stands alone and primary suppression applies.
        cells = suppress(values, [], threshold=threshold)
        tables.append(
            CohortTable(
                grouping,
                label,
                [(g, {m: cells[(g, m)] for m in MEASURES}) for g in groups],
                threshold,
            )
        )
    return tables


def cohort_csv(tables: list[CohortTable]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["grouping", "group", *MEASURES])
    for table in tables:
        for group, cells in table.rows:
            writer.writerow([table.grouping, group, *[cells[m].export() for m in MEASURES]])
    return out.getvalue()


def cohort_json(tables: list[CohortTable], as_of: dt.date) -> str:
    return json.dumps(
        {
            "as_of": as_of.isoformat(),
            "threshold": tables[0].threshold if tables else suppression_threshold(),
            "tables": {
                t.grouping: [
                    {"group": g, **{m: c[m].export() for m in MEASURES}} for g, c in t.rows
                ]
                for t in tables
            },
        },
        indent=2,
    )


RETURN_COLUMNS = (
    "claim_reference",
    "period",
    "status",
    "lead_agency",
    "basis",
    "needs",
    "outcomes",
    "support_ended_on",
    "pack_sha256",
)


def quarterly_return(*, user: Any, period: str, request_id: str | None = None) -> str:
    """The quarterly return as CSV: one row per submitted claim, no family named."""
    _release(user, f"Supporting Families quarterly return for {period}", request_id)
    claims = (
        Claim.objects.filter(period=period, status=ClaimStatus.SUBMITTED)
        .select_related("lead_agency")
        .order_by("pk")
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(RETURN_COLUMNS)
    for claim in claims:
        pack = claim.evidence_pack
        writer.writerow(
            [
                f"SF-{claim.period}-{claim.pk:05d}",
                claim.period,
                claim.status,
                claim.lead_agency.slug,
                claim.basis,
                len(pack.get("needs", [])),
                ";".join(sorted({n["outcome"] for n in pack.get("needs", [])})),
                (pack.get("closure") or {}).get("support_ended_on") or "",
                claim.pack_hash,
            ]
        )
    return out.getvalue()


@dataclass(frozen=True)
class ClaimRateAlert:
    lead_agency: str
    claims: int
    closed: int
    rate: float
    county_rate: float
    message: str


def claim_rate_alerts(
    *, user: Any, ratio: float = 1.5, minimum: int = 5, request_id: str | None = None
) -> list[ClaimRateAlert]:
    """Teams whose claims per closed engagement are unexpectedly high (or nil), as assurance asks.

    A team is flagged when its rate is above ``ratio`` times the county's, or when it has
    ``minimum`` or more closed engagements and no claim at all while the county claims.
    """
    _release(user, "Claim-rate check by lead agency", request_id)
    closed: dict[str, int] = defaultdict(int)
    claimed: dict[str, int] = defaultdict(int)
    for agency, has_claim in Baseline.objects.filter(support_ended_on__isnull=False).values_list(
        "lead_agency__slug", "claim__pk"
    ):
        closed[agency] += 1
        claimed[agency] += has_claim is not None
    total_closed = sum(closed.values())
    county = sum(claimed.values()) / total_closed if total_closed else 0.0
    alerts = []
    for agency in sorted(closed):
        rate = claimed[agency] / closed[agency]
        if county and closed[agency] >= minimum and rate > ratio * county:
            message = (
                f"claims {rate:.0%} of closed engagements against {county:.0%} across the county"
            )
        elif county and closed[agency] >= minimum and claimed[agency] == 0:
            message = f"no claims from {closed[agency]} closed engagements while the county claims {county:.0%}"
        else:
            continue
        alerts.append(
            ClaimRateAlert(agency, claimed[agency], closed[agency], rate, county, message)
        )
    return alerts


def alerts_as_dicts(alerts: list[ClaimRateAlert]) -> list[dict[str, Any]]:
    return [asdict(a) for a in alerts]
