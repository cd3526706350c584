"""Reads of families' progress and outcomes, always through the sharing gate.

A proposal, a sustained-progress check or a timeline is computed only from the events the
reader may see for the purpose (``outcomes_review`` for practitioners, ``claim_assurance`` for
internal audit): what the gate withheld is counted and said, never used. Aggregates (cohort
dashboards, the quarterly return, the per-family results evaluation reads) go through
``gate.read_aggregate`` and are suppressed where they are counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from wraparound.outcomes import sources
from wraparound.outcomes.framework import Descriptor, Framework, framework_version
from wraparound.outcomes.models import (
    Baseline,
    BaselineNeed,
    Claim,
    ClaimStatus,
    EquivalentProgress,
    NeedProgress,
)
from wraparound.outcomes.rules import (
    NeedOutcome,
    ProgressStatus,
    Proposal,
    ProposedStatus,
    SustainResult,
    evaluate_sustained,
    family_outcome,
    propose_status,
)
from wraparound.sharing import audit, gate, policy
from wraparound.sharing.catalogues import primary_category_for_kind
from wraparound.sharing.gate import FamilyNotVisibleError
from wraparound.sharing.models import AuditAction, AuditOutcome

REVIEW_PURPOSE = "outcomes_review"
ASSURANCE_PURPOSE = "claim_assurance"
PACK_ITEM = "evidence-pack"  # the gate's item for the pack's casework content
AGGREGATE_PURPOSE = "outcomes_evaluation_aggregate"


class OutcomesAccessError(Exception):
    """The reader may not see this; the message says why (and the refusal was audited)."""


@dataclass(frozen=True)
class Item:
    agency_id: int
    category: str
    payload: Any


@dataclass(frozen=True)
class RecordRead:
    """One record a proposal read: enough for a practitioner or an auditor to find it."""

    event_key: str
    agency: str
    agency_slug: str
    kind: str
    event_date: dt.date

    def as_pointer(self) -> dict[str, str]:
        return {
            "event_key": self.event_key,
            "agency_slug": self.agency_slug,
            "kind": self.kind,
            "event_date": self.event_date.isoformat(),
        }


@dataclass
class NeedProposal:
    need: BaselineNeed
    descriptor: Descriptor
    proposal: Proposal
    records: list[RecordRead]
    withheld: int
    covers_until: dt.date | None = None
    # The framework's wording of the need, each with the source it was transcribed from.
    cited: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class GatedEvents:
    by_kind: dict[str, list[RecordRead]]
    withheld: list[gate.Withheld]
    withheld_by_kind: dict[str, int] = field(default_factory=dict)
    coverage: dict[str, dt.date] = field(default_factory=dict)
    visible_pointers: set[Any] = field(default_factory=set)

    def for_descriptor(self, descriptor: Descriptor) -> tuple[list[RecordRead], int]:
        records = [r for k in descriptor.concern_kinds for r in self.by_kind.get(k, [])]
        hidden = sum(self.withheld_by_kind.get(k, 0) for k in descriptor.concern_kinds)
        return sorted(records, key=lambda r: r.event_date), hidden


def framework_of(baseline: Baseline) -> Framework:
    return framework_version(baseline.framework_version)


def _gated_events(
    *,
    user: Any,
    family_public_id: str,
    purpose: str,
    kinds: set[str],
    request_id: str | None,
    pointers: list[tuple[Any, dict[str, Any]]] = (),  # type: ignore[assignment]
) -> GatedEvents:
    """The family's concern events the user may see for ``purpose``; raises if not visible.

    ``pointers`` (key, evidence pointer) ride in the same gate call, so a page that shows both
    derived needs and the events behind proposals makes one decision and one audit record.
    """
    events = sources.family_events(family_public_id, kinds)
    agencies = sources.agencies_by_slug()
    items = [
        Item(e.extract.agency_id, sources.event_category(e.kind, e.extract.agency), e)
        for e in events
    ]
    items += [
        Item(
            agencies[p["agency_slug"]].pk,
            sources.event_category(p["kind"], agencies[p["agency_slug"]]),
            (key, p),
        )
        for key, p in pointers
        if p.get("agency_slug") in agencies
    ]
    filtered = gate.read(
        user=user,
        family_public_id=family_public_id,
        purpose=purpose,
        items=items,
        request_id=request_id,
    )
    if not filtered.decision.has_need_to_know:
        raise FamilyNotVisibleError(filtered.decision.need_to_know_reason)
    by_kind: dict[str, list[RecordRead]] = {}
    covered = sources.coverage_by_kind(kinds)
    visible_pointer_keys: set[Any] = set()
    for item in filtered.visible_items:
        if isinstance(item.payload, tuple):
            visible_pointer_keys.add(item.payload[0])
            continue
        event = item.payload
        agency = event.extract.agency
        by_kind.setdefault(event.kind, []).append(
            RecordRead(event.event_key, agency.name, agency.slug, event.kind, event.event_date)
        )
    visible_ids = {id(i.payload) for i in filtered.visible_items}
    hidden: dict[str, int] = {}
    for item in items:
        if not isinstance(item.payload, tuple) and id(item.payload) not in visible_ids:
            hidden[item.payload.kind] = hidden.get(item.payload.kind, 0) + 1
    return GatedEvents(by_kind, filtered.withheld, hidden, covered, visible_pointer_keys)


def baseline_for(
    *,
    user: Any,
    baseline_id: int,
    purpose: str = REVIEW_PURPOSE,
    request_id: str | None = None,
    check: bool = True,
) -> Baseline:
    """Access helper: the baseline, once the gate says the user may open its family.

    ``check=False`` is for views whose next step is a gated read that refuses by itself, so a
    page makes one audited decision rather than two.
    """
    baseline = Baseline.objects.filter(pk=baseline_id).select_related("lead_agency").first()
    if baseline is None:
        raise Baseline.DoesNotExist(f"No baseline {baseline_id}.")
    if not check:
        return baseline
    gate.open_family(
        user=user,
        family_public_id=baseline.family_public_id,
        purpose=purpose,
        request_id=request_id,
    )
    return baseline


def review_proposals(
    *,
    user: Any,
    baseline: Baseline,
    review_on: dt.date,
    purpose: str = REVIEW_PURPOSE,
    request_id: str | None = None,
) -> list[NeedProposal]:
    """For each baseline need, the status the data propose at a review, and the records read."""
    framework = framework_of(baseline)
    needs = list(baseline.baseline_needs.all())
    descriptors = {n.pk: framework.descriptor(n.descriptor) for n in needs}
    kinds = {k for d in descriptors.values() for k in d.concern_kinds}
    seen = _gated_events(
        user=user,
        family_public_id=baseline.family_public_id,
        purpose=purpose,
        kinds=kinds,
        request_id=request_id,
    )
    proposals = []
    for need in needs:
        descriptor = descriptors[need.pk]
        records, hidden = seen.for_descriptor(descriptor)
        dated = [r for r in records if r.event_date <= review_on]
        covers = min(seen.coverage.get(k, review_on) for k in descriptor.concern_kinds)
        proposal = propose_status(
            concern_dates=[r.event_date for r in dated],
            engaged_on=baseline.engaged_on,
            review_on=review_on,
            rule=descriptor.proposal,
            covers_until=covers,
        )
        window_start = baseline.engaged_on - dt.timedelta(days=descriptor.proposal.baseline_days)
        read = [r for r in dated if r.event_date >= window_start]
        cited = [(w.text, framework.cite(w).citation) for w in descriptor.wording]
        proposals.append(NeedProposal(need, descriptor, proposal, read, hidden, covers, cited))
    return proposals


def equivalent_approved(baseline: Baseline) -> bool:
    """Whether an equivalent progress decision is recorded *and* approved for the baseline."""
    return EquivalentProgress.objects.filter(baseline=baseline, approved_by__isnull=False).exists()


def needs_of(baseline: Baseline) -> list[BaselineNeed]:
    """The baseline's needs (the baseline was fetched through ``baseline_for``)."""
    return list(baseline.baseline_needs.all())


def claim_by_id(*, user: Any, raw: str, request_id: str | None = None) -> Claim | None:
    """A claim for the claiming team's action, once the gate lets the user open its family
    for outcomes review (the team's own purpose; internal audit opens claims through
    ``claim_for_audit``)."""
    claim = Claim.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if claim is not None:
        gate.open_family(
            user=user,
            family_public_id=claim.family_public_id,
            purpose=REVIEW_PURPOSE,
            request_id=request_id,
        )
    return claim


def in_audit_sample() -> Q:
    """Claims internal audit drew into its sample (still waiting, or checked since)."""
    return Q(claim_transitions__to_status=ClaimStatus.SAMPLED)


def need_outcome(descriptor: str, last: NeedProgress | None, sustain: SustainResult) -> NeedOutcome:
    """A need at the claim decision: the practitioner's and the data's status at its last review."""
    if last is None:
        return NeedOutcome(descriptor, None, sustain)
    proposed = ProposedStatus(last.proposed_status) if last.proposed_status else None
    return NeedOutcome(
        descriptor, ProgressStatus(last.status), sustain, proposed, last.proposal_quiet
    )


def last_statuses(baseline: Baseline) -> dict[int, NeedProgress]:
    """Each need's status at the latest review that recorded it."""
    latest: dict[int, NeedProgress] = {}
    rows = NeedProgress.objects.filter(review__baseline=baseline).select_related("review")
    for row in rows.order_by("review__reviewed_on", "review__pk"):
        latest[row.need_id] = row
    return latest


@dataclass
class NeedAssessment:
    need: BaselineNeed
    descriptor: Descriptor
    last: NeedProgress | None
    sustain: SustainResult
    records: list[RecordRead]
    withheld: int


@dataclass
class OutcomeAssessment:
    baseline: Baseline
    needs: list[NeedAssessment]
    achieved: bool
    basis: str
    reason: str
    min_needs: int


def assess_outcome(
    *,
    user: Any,
    baseline: Baseline,
    as_of: dt.date | None = None,
    purpose: str = REVIEW_PURPOSE,
    request_id: str | None = None,
) -> OutcomeAssessment:
    """Is the family's outcome achieved: every need met and sustained, or equivalent progress?"""
    framework = framework_of(baseline)
    kinds = {
        k
        for n in baseline.baseline_needs.all()
        for k in framework.descriptor(n.descriptor).concern_kinds
    }
    seen = _gated_events(
        user=user,
        family_public_id=baseline.family_public_id,
        purpose=purpose,
        kinds=kinds,
        request_id=request_id,
    )
    return _assess(baseline, seen, as_of or timezone.localdate())


def _assess(baseline: Baseline, seen: GatedEvents, as_of: dt.date) -> OutcomeAssessment:
    framework = framework_of(baseline)
    latest = last_statuses(baseline)
    assessed = []
    for need in baseline.baseline_needs.all():
        descriptor = framework.descriptor(need.descriptor)
        records, hidden = seen.for_descriptor(descriptor)
        covers = min((seen.coverage.get(k, as_of) for k in descriptor.concern_kinds), default=as_of)
        sustain = evaluate_sustained(
            concern_dates=[r.event_date for r in records],
            support_ended_on=baseline.support_ended_on,
            rule=descriptor.sustained,
            as_of=as_of,
            data_covers_until=covers,
        )
        in_window = [
            r for r in records if sustain.window_start and sustain.window_start <= r.event_date
        ]
        assessed.append(
            NeedAssessment(need, descriptor, latest.get(need.pk), sustain, in_window, hidden)
        )
    outcome = family_outcome(
        [need_outcome(a.descriptor.key, a.last, a.sustain) for a in assessed],
        equivalent_progress=equivalent_approved(baseline),
        min_needs=framework.min_needs,
    )
    return OutcomeAssessment(
        baseline, assessed, outcome.achieved, outcome.basis, outcome.reason, framework.min_needs
    )


def visible_baselines(
    *, user: Any, purpose: str = REVIEW_PURPOSE, request_id: str | None = None
) -> list[Baseline]:
    """Baselines of the families the user may open (the listing is audited)."""
    families = gate.list_families(user=user, purpose=purpose, request_id=request_id)
    return list(
        Baseline.objects.filter(family_public_id__in=families).select_related("lead_agency")
    )


def claim_for_audit(
    *, user: Any, claim_id: int, request_id: str | None = None
) -> tuple[Claim, list[dict[str, Any]], int]:
    """A sampled claim's frozen pack for internal audit: evidence pointers the gate permits.

    Returns the claim, the pointers the auditor may see, and how many were withheld.
    """
    claim = (
        Claim.objects.filter(in_audit_sample(), pk=claim_id)
        .select_related("lead_agency", "baseline")
        .distinct()
        .first()
    )
    if claim is None:
        raise Claim.DoesNotExist(f"No claim {claim_id} in the internal-audit sample.")
    if not independent_of(claim, user):
        audit.record_access(
            user=user,
            action=AuditAction.VIEW,
            outcome=AuditOutcome.DENY,
            purpose=ASSURANCE_PURPOSE,
            family_public_id=claim.family_public_id,
            reason=f"Claim {claim.pk}: an auditor does not check a claim they made or validated",
            request_id=request_id,
        )
        raise FamilyNotVisibleError(
            "you made or validated this claim, so another auditor checks it"
        )
    agencies = sources.agencies_by_slug()
    pointers = [
        p
        for need in claim.evidence_pack.get("needs", [])
        for p in need.get("evidence", []) + need.get("window_records", [])
    ]
    items = [
        Item(
            agencies[p["agency_slug"]].pk,
            sources.event_category(p["kind"], agencies[p["agency_slug"]]),
            p,
        )
        for p in pointers
        if p.get("agency_slug") in agencies
    ]
    # The pack itself (needs, plan, reviews, closure) is the claiming agency's casework record:
    # shown only when that agency shares it with the auditor for claim assurance.
    casework = Item(
        claim.lead_agency_id, primary_category_for_kind(claim.lead_agency.kind), PACK_ITEM
    )
    filtered = gate.read(
        user=user,
        family_public_id=claim.family_public_id,
        purpose=ASSURANCE_PURPOSE,
        items=[casework, *items],
        request_id=request_id,
    )
    shown = [i.payload for i in filtered.visible_items]
    refusal = _pack_refusal(claim, filtered.decision, pack_shown=PACK_ITEM in shown)
    if refusal:
        raise FamilyNotVisibleError(refusal)
    visible = [p for p in shown if p != PACK_ITEM]
    return claim, visible, len(items) - len(visible)


def _pack_refusal(claim: Claim, decision: policy.Decision, *, pack_shown: bool) -> str:
    """Why internal audit cannot open ``claim``'s pack, or "" when it can.

    One wording for the list and the page, so the list never offers a claim that opening
    would refuse without saying why.
    """
    if not decision.has_need_to_know:
        return decision.need_to_know_reason
    if not pack_shown:
        return (
            f"{claim.lead_agency.name} does not share its casework records with you for claim "
            "assurance (no agreement covers it), so its evidence pack cannot be shown"
        )
    return ""


def _audit_refusals(claims: list[Claim], user: Any) -> dict[int, str]:
    """Claim pk -> why opening it would be refused, from the policy's pure decision (nothing
    is read or written: the list's own audit entry records the listing)."""
    refusals = {}
    for claim in claims:
        category = primary_category_for_kind(claim.lead_agency.kind)
        decision = policy.decide(
            user=user,
            family_public_id=claim.family_public_id,
            categories=[(claim.lead_agency, category)],
            purpose=ASSURANCE_PURPOSE,
        )
        shown = decision.permits(claim.lead_agency_id, category)
        if refusal := _pack_refusal(claim, decision, pack_shown=shown):
            refusals[claim.pk] = refusal
    return refusals


def claims_in_pipeline(*, user: Any, request_id: str | None = None) -> list[Claim]:
    """Claims of the families the user may open for outcomes review (listing audited)."""
    families = gate.list_families(user=user, purpose=REVIEW_PURPOSE, request_id=request_id)
    return list(Claim.objects.filter(family_public_id__in=families).select_related("lead_agency"))


def claims_ready(period: str, *, lock: bool = False) -> tuple[list[Claim], int]:
    """A quarter's claims ready to submit, and how many sampled ones await their spot check.

    Ready: validated and not sampled, or sampled and passed every spot-check question.
    ``lock`` (inside the submitting transaction) takes the rows for update.
    """
    rows = Claim.objects.filter(
        period=period, status__in=[ClaimStatus.VALIDATED, ClaimStatus.SAMPLED]
    ).select_related("lead_agency")
    if lock:
        rows = rows.select_for_update()
    ready, unchecked = [], 0
    for claim in rows.order_by("pk"):
        answers = claim.audit_answers.get("answers") if claim.audit_answers else None
        if claim.status == ClaimStatus.VALIDATED or (answers and all(answers.values())):
            ready.append(claim)
        elif not answers:
            unchecked += 1
    return ready, unchecked


@dataclass(frozen=True)
class ReturnPreview:
    """What submitting a quarter would send: for the "check your answers" page."""

    period: str
    ready: int
    ready_shown: list[Claim]  # the ready claims of families the submitter may open
    unchecked: int


def return_preview(*, user: Any, period: str, request_id: str | None = None) -> ReturnPreview:
    """The quarter's ready claims, naming only families the user may open (listing audited)."""
    ready, unchecked = claims_ready(period)
    families = gate.list_families(user=user, purpose=REVIEW_PURPOSE, request_id=request_id)
    shown = [c for c in ready if c.family_public_id in families]
    return ReturnPreview(period, len(ready), shown, unchecked)


def periods_to_submit() -> list[str]:
    """Quarters with a validated or sampled claim (a list of periods, no family named)."""
    rows = Claim.objects.filter(status__in=[ClaimStatus.VALIDATED, ClaimStatus.SAMPLED])
    return sorted(set(rows.values_list("period", flat=True)), reverse=True)


def audit_counts() -> tuple[int, int]:
    """(sampled claims waiting for a spot check, quarters with claims to sample): counts only."""
    waiting = Claim.objects.filter(status=ClaimStatus.SAMPLED, audit_answers={}).count()
    quarters = Claim.objects.filter(status=ClaimStatus.VALIDATED).values("period").distinct()
    return waiting, quarters.count()


@dataclass(frozen=True)
class AuditWork:
    """Internal audit's list: the claims in its sample, and the quarters still to sample."""

    sampled: list[Claim]
    to_sample: dict[str, int]  # period -> validated claims not yet sampled (a count only)
    # claim pk -> why opening it would be refused (no agreement shares the lead agency's
    # casework with internal audit, say): the list says so instead of offering a dead link.
    refused: dict[int, str] = field(default_factory=dict)

    @property
    def rows(self) -> list[tuple[Claim, str]]:
        """Each sampled claim with why it cannot be opened ("" when it can), for the page."""
        return [(claim, self.refused.get(claim.pk, "")) for claim in self.sampled]


def audit_work(*, user: Any, request_id: str | None = None) -> AuditWork:
    """The internal-audit sample (audited listing) and the quarters waiting for one.

    The sample is internal audit's scope for claim assurance, as a relationship is a
    practitioner's: the list offers exactly the claims ``claim_for_audit`` opens.
    """
    if not policy.reads_for(user, ASSURANCE_PURPOSE):
        raise OutcomesAccessError("Only internal auditors open the internal-audit sample.")
    sampled = [
        c
        for c in Claim.objects.filter(in_audit_sample())
        .select_related("lead_agency")
        .distinct()
        .order_by("-period", "pk")
        if independent_of(c, user)
    ]
    audit.record_access(
        user=user,
        action=AuditAction.SEARCH,
        outcome=AuditOutcome.PERMIT if sampled else AuditOutcome.DENY,
        purpose=ASSURANCE_PURPOSE,
        reason=f"Listed {len(sampled)} claim(s) in the internal-audit sample",
        request_id=request_id,
    )
    waiting = (
        Claim.objects.filter(status=ClaimStatus.VALIDATED)
        .values("period")
        .annotate(n=Count("pk"))
        .order_by("-period")
    )
    return AuditWork(
        sampled, {row["period"]: row["n"] for row in waiting}, _audit_refusals(sampled, user)
    )


def independent_of(claim: Claim, user: Any) -> bool:
    """Separation of duties: an auditor neither sees nor checks a claim they made or validated
    (roles change: a former team manager may now work in internal audit)."""
    if claim.created_by_id == user.pk:
        return False
    return not claim.claim_transitions.filter(to_status=ClaimStatus.VALIDATED, by=user).exists()


def status_is(claim: Claim, *statuses: str) -> bool:
    return claim.status in statuses


__all__ = [
    "ASSURANCE_PURPOSE",
    "REVIEW_PURPOSE",
    "ClaimStatus",
    "FamilyNotVisibleError",
    "OutcomesAccessError",
    "assess_outcome",
    "baseline_for",
    "claim_for_audit",
    "review_proposals",
    "visible_baselines",
]


@dataclass
class BaselineView:
    baseline: Baseline
    needs: list[BaselineNeed]
    needs_withheld: int
    assessment: OutcomeAssessment
    reviews: list[Any]
    chart: Any
    claim: Claim | None
    equivalent: EquivalentProgress | None = None


@dataclass
class FamilyOutcomes:
    family_public_id: str
    baselines: list[BaselineView]


def _chart(baseline: Baseline, needs: list[BaselineNeed], framework: Framework) -> Any:
    from wraparound.outcomes.charts import timeline

    reviews = list(baseline.progress_reviews.order_by("reviewed_on", "pk"))
    dates = [baseline.engaged_on, *[r.reviewed_on for r in reviews]]
    dates = list(dict.fromkeys(dates))
    order = [
        ProgressStatus.WORSE,
        ProgressStatus.NO_CHANGE,
        ProgressStatus.IMPROVING,
        ProgressStatus.MET,
    ]
    statuses = {
        (s.review.reviewed_on, s.need_id): ProgressStatus(s.status)
        for s in NeedProgress.objects.filter(review__baseline=baseline).select_related("review")
    }
    areas = []
    for outcome in framework.outcomes:
        own = [n for n in needs if n.outcome == outcome]
        if not own:
            continue
        points: list[tuple[dt.date, ProgressStatus | None]] = [(baseline.engaged_on, None)]
        for when in dates[1:]:
            seen = [statuses[(when, n.pk)] for n in own if (when, n.pk) in statuses]
            if seen:
                points.append((when, min(seen, key=order.index)))
        areas.append((framework.label(outcome), points))
    return timeline(areas=areas, dates=dates)


def family_outcomes(
    *,
    user: Any,
    family_public_id: str,
    purpose: str = REVIEW_PURPOSE,
    as_of: dt.date | None = None,
    request_id: str | None = None,
) -> FamilyOutcomes:
    """Everything the outcomes page (and the family page's include) shows of one family.

    One gate call covers the concern events and every need's evidence pointers. A need is
    derived from other agencies' events, so a need with no visible pointer is counted, not
    shown: the page never discloses another agency's data through a derived need.
    """
    as_of = as_of or timezone.localdate()
    baselines = list(
        Baseline.objects.filter(family_public_id=family_public_id)
        .select_related("lead_agency", "fixed_by")
        .prefetch_related("baseline_needs")
    )
    kinds: set[str] = set()
    pointers: list[tuple[Any, dict[str, Any]]] = []
    for baseline in baselines:
        framework = framework_of(baseline)
        for need in baseline.baseline_needs.all():
            kinds |= set(framework.descriptor(need.descriptor).concern_kinds)
            pointers += [(need.pk, p) for p in need.evidence]
    seen = _gated_events(
        user=user,
        family_public_id=family_public_id,
        purpose=purpose,
        kinds=kinds,
        request_id=request_id,
        pointers=pointers,
    )
    views = []
    for baseline in baselines:
        all_needs = list(baseline.baseline_needs.all())
        needs = [n for n in all_needs if n.pk in seen.visible_pointers or not n.evidence]
        assessment = _assess(baseline, seen, as_of)
        shown = {n.pk for n in needs}
        assessment.needs = [a for a in assessment.needs if a.need.pk in shown]
        reviews = list(
            baseline.progress_reviews.select_related("recorded_by").prefetch_related(
                "need_statuses__need", "tool_scores"
            )
        )
        chart = _chart(baseline, needs, framework_of(baseline))
        views.append(
            BaselineView(
                baseline,
                needs,
                len(all_needs) - len(needs),
                assessment,
                reviews,
                chart,
                getattr(baseline, "claim", None),
                EquivalentProgress.objects.filter(baseline=baseline).first(),
            )
        )
    return FamilyOutcomes(family_public_id, views)
