"""Writes: fix a baseline, record a review, end support, decide equivalent progress, claims.

One business action per function (the Zulip ``do_*`` shape): it checks who may do it, changes
data inside one transaction, and appends the audit entry in the same transaction. Reads of
personal data inside an action go through the selectors (the sharing gate).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from wraparound.core.models import Role
from wraparound.outcomes import selectors, sources
from wraparound.outcomes.framework import framework_for
from wraparound.outcomes.models import (
    Baseline,
    BaselineNeed,
    Claim,
    ClaimStatus,
    ClaimTransition,
    EquivalentProgress,
    NeedProgress,
    ProgressReview,
    ToolScore,
)
from wraparound.outcomes.rules import ProgressStatus
from wraparound.sharing import audit, gate
from wraparound.sharing.models import AuditAction, AuditOutcome


class OutcomesError(Exception):
    """The action cannot be done as asked; the message says what to change."""


def _audit(
    by: Any, family_public_id: str, reason: str, *, purpose: str, request_id: str | None
) -> Any:
    return audit.record_access(
        user=by,
        action=AuditAction.AMEND,
        outcome=AuditOutcome.PERMIT,
        purpose=purpose,
        family_public_id=family_public_id,
        reason=reason,
        request_id=request_id,
    )


def _audit_review(by: Any, baseline: Baseline, reason: str, request_id: str | None) -> Any:
    return _audit(
        by,
        baseline.family_public_id,
        reason,
        purpose=selectors.REVIEW_PURPOSE,
        request_id=request_id,
    )


def _require_role(by: Any, *roles: str) -> None:
    if getattr(by, "role", None) not in roles:
        labels = " or ".join(Role(r).label.lower() for r in roles)
        article = "an" if labels[0] in "aeiou" else "a"
        raise OutcomesError(f"Only {article} {labels} can do this.")


@transaction.atomic
def fix_baseline(
    *,
    by: Any,
    family_public_id: str,
    engaged_on: dt.date,
    service: str = "",
    casework_ref: str = "",
    link_casework: bool = True,
    request_id: str | None = None,
) -> Baseline:
    """Fix the family's needs at engagement from the needs flags the practitioner may see.

    When casework holds an assessment for the family, the baseline links to the first one.
    """
    _require_role(by, Role.PRACTITIONER, Role.TEAM_MANAGER)
    framework = framework_for(engaged_on)
    flags = sources.flags_at(family_public_id, engaged_on)
    agencies = sources.agencies_by_slug()
    items = [
        selectors.Item(
            agencies[e["agency_slug"]].pk,
            sources.event_category(e["kind"], agencies[e["agency_slug"]]),
            (flag, e),
        )
        for flag in flags
        for e in flag.evidence
        # The baseline is the family at engagement: later events are progress, not baseline.
        if e.get("agency_slug") in agencies and e.get("event_date", "") <= engaged_on.isoformat()
    ]
    read = gate.read(
        user=by,
        family_public_id=family_public_id,
        purpose=selectors.REVIEW_PURPOSE,
        items=items,
        request_id=request_id,
    )
    if not read.decision.has_need_to_know:
        raise gate.FamilyNotVisibleError(read.decision.need_to_know_reason)
    if Baseline.objects.filter(family_public_id=family_public_id, engaged_on=engaged_on).exists():
        raise OutcomesError(
            f"Family {family_public_id} already has a baseline from {engaged_on:%d %B %Y}."
        )
    grouped: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"indicators": set(), "evidence": [], "level": 0}
    )
    for flag, pointer in (i.payload for i in read.visible_items):
        descriptor = framework.descriptor_for_indicator(flag.indicator_key)
        if descriptor is None:
            continue
        entry = grouped[descriptor.key]
        entry["outcome"] = descriptor.outcome
        entry["indicators"].add(flag.indicator_key)
        entry["level"] = max(entry["level"], flag.level)
        if pointer not in entry["evidence"]:
            entry["evidence"].append(pointer)
    baseline = Baseline.objects.create(
        family_public_id=family_public_id,
        framework_version=framework.version,
        engaged_on=engaged_on,
        fixed_by=by,
        lead_agency=by.agency,
        service=service,
        locality=sources.family_locality(family_public_id),
        casework_ref=casework_ref,
        assessment=sources.casework_engagement(family_public_id) if link_casework else None,
    )
    BaselineNeed.objects.bulk_create(
        BaselineNeed(
            baseline=baseline,
            outcome=entry["outcome"],
            descriptor=key,
            level=entry["level"],
            indicators=sorted(entry["indicators"]),
            evidence=sorted(entry["evidence"], key=lambda p: p["event_date"]),
        )
        for key, entry in grouped.items()
    )
    _audit(
        by,
        family_public_id,
        f"Fixed the outcomes baseline ({len(grouped)} needs, framework {framework.version}).",
        purpose=selectors.REVIEW_PURPOSE,
        request_id=request_id,
    )
    return baseline


@dataclass(frozen=True)
class StatusEntry:
    status: str
    evidence: str


@transaction.atomic
def record_review(
    *,
    by: Any,
    baseline: Baseline,
    reviewed_on: dt.date,
    statuses: dict[int, StatusEntry],
    tool_scores: list[tuple[str, str, float]] = (),  # type: ignore[assignment]
    notes: str = "",
    casework_ref: str = "",
    request_id: str | None = None,
) -> ProgressReview:
    """Record every baseline need's status at a review, beside the status the data propose."""
    _require_role(by, Role.PRACTITIONER, Role.TEAM_MANAGER)
    if reviewed_on < baseline.engaged_on:
        raise OutcomesError("The review date is before the family engaged.")
    if reviewed_on > timezone.localdate():
        raise OutcomesError("The review date is in the future.")
    needs = {n.pk: n for n in baseline.baseline_needs.all()}
    missing = [needs[pk].descriptor for pk in needs if pk not in statuses]
    if missing:
        raise OutcomesError(f"Record a status for every need: missing {', '.join(missing)}.")
    for pk, entry in statuses.items():
        if pk not in needs:
            raise OutcomesError("A status was given for a need that is not in this baseline.")
        if entry.status not in ProgressStatus.__members__.values():
            raise OutcomesError(f"{entry.status!r} is not a progress status.")
        if not entry.evidence.strip():
            raise OutcomesError(
                f"Say what evidence the status for {needs[pk].descriptor} rests on."
            )
    proposals = {
        p.need.pk: p
        for p in selectors.review_proposals(
            user=by, baseline=baseline, review_on=reviewed_on, request_id=request_id
        )
    }
    meeting = next(
        (
            m
            for m in sources.casework_review_meetings(baseline.family_public_id)
            if m.held_on == reviewed_on
        ),
        None,
    )
    review = ProgressReview.objects.create(
        review_meeting=meeting,
        baseline=baseline,
        reviewed_on=reviewed_on,
        recorded_by=by,
        notes=notes,
        casework_ref=casework_ref,
    )
    NeedProgress.objects.bulk_create(
        NeedProgress(
            review=review,
            need=needs[pk],
            status=entry.status,
            evidence=entry.evidence.strip(),
            proposed_status=proposals[pk].proposal.status.value if pk in proposals else "",
            proposal_reason=proposals[pk].proposal.reason if pk in proposals else "",
            proposal_quiet=proposals[pk].proposal.quiet if pk in proposals else False,
            records_read=[r.as_pointer() for r in proposals[pk].records] if pk in proposals else [],
        )
        for pk, entry in statuses.items()
    )
    for tool, area, score in tool_scores:
        ToolScore.objects.create(review=review, tool=tool, area=area, score=score)
    _audit_review(
        by,
        baseline,
        f"Recorded a progress review on {reviewed_on:%d %B %Y} ({len(statuses)} needs).",
        request_id,
    )
    return review


@transaction.atomic
def end_support(
    *,
    by: Any,
    baseline: Baseline,
    ended_on: dt.date,
    closure_ref: str = "",
    request_id: str | None = None,
) -> Baseline:
    """Record when support ended: the sustained-progress windows run from this day."""
    _require_role(by, Role.PRACTITIONER, Role.TEAM_MANAGER)
    if ended_on < baseline.engaged_on:
        raise OutcomesError("Support cannot end before the family engaged.")
    if hasattr(baseline, "claim"):
        raise OutcomesError("A claim has been made: the end of support can no longer change.")
    baseline.support_ended_on, baseline.closure_ref = ended_on, closure_ref
    baseline.case_closure = sources.casework_closure(baseline.family_public_id)
    baseline.save(update_fields=["support_ended_on", "closure_ref", "case_closure"])
    _audit_review(by, baseline, f"Support ended on {ended_on:%d %B %Y}.", request_id)
    return baseline


@transaction.atomic
def record_equivalent_progress(
    *, by: Any, baseline: Baseline, reason: str, request_id: str | None = None
) -> EquivalentProgress:
    """The practitioner records that progress was equivalent, and why; a manager approves it."""
    _require_role(by, Role.PRACTITIONER, Role.TEAM_MANAGER)
    if not reason.strip():
        raise OutcomesError("Give the reason progress is equivalent to the framework's.")
    if hasattr(baseline, "equivalent"):
        raise OutcomesError("An equivalent progress decision is already recorded for this family.")
    if hasattr(baseline, "claim"):
        raise OutcomesError("A claim has been made: the decision can no longer change.")
    decision = EquivalentProgress.objects.create(
        baseline=baseline, reason=reason.strip(), recorded_by=by
    )
    _audit_review(
        by,
        baseline,
        f"Equivalent progress recorded, awaiting a manager's approval: {reason.strip()}",
        request_id,
    )
    return decision


@transaction.atomic
def approve_equivalent_progress(
    *, by: Any, baseline: Baseline, request_id: str | None = None
) -> EquivalentProgress:
    """A team manager, not the person who recorded it, approves the decision."""
    _require_role(by, Role.TEAM_MANAGER)
    decision = EquivalentProgress.objects.select_for_update().filter(baseline=baseline).first()
    if decision is None:
        raise OutcomesError("No equivalent progress decision is recorded for this family.")
    if decision.approved:
        raise OutcomesError("The decision is already approved.")
    if decision.recorded_by_id == by.pk:
        raise OutcomesError(
            "Equivalent progress is approved by a team manager other than the person who recorded it."
        )
    decision.approved_by, decision.approved_at = by, timezone.now()
    decision.save(update_fields=["approved_by", "approved_at"])
    _audit_review(
        by,
        baseline,
        f"Approved the equivalent progress decision recorded by {decision.recorded_by.username}.",
        request_id,
    )
    return decision


def claim_period(on: dt.date) -> str:
    return f"{on.year}-Q{(on.month - 1) // 3 + 1}"


def pack_hash(pack: dict[str, Any]) -> str:
    """SHA-256 of the pack's canonical JSON: the same bytes always give the same hash."""
    data = json.dumps(pack, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode()).hexdigest()


def _evidence_pack(assessment: selectors.OutcomeAssessment, as_of: dt.date) -> dict[str, Any]:
    baseline = assessment.baseline
    reviews = [
        {
            "review_id": r.pk,
            "reviewed_on": r.reviewed_on.isoformat(),
            "recorded_by": r.recorded_by.username,
            "casework_ref": r.casework_ref,
            "review_meeting_id": r.review_meeting_id,
            "statuses": {
                s.need.descriptor: {
                    "status": s.status,
                    "proposed": s.proposed_status,
                    "data_quiet": s.proposal_quiet,
                    "evidence": s.evidence,
                }
                for s in r.need_statuses.select_related("need")
            },
            "tool_scores": [
                {"tool": t.tool, "area": t.area, "score": str(t.score)} for t in r.tool_scores.all()
            ],
        }
        for r in baseline.progress_reviews.select_related("recorded_by").order_by(
            "reviewed_on", "pk"
        )
    ]
    equivalent = EquivalentProgress.objects.filter(baseline=baseline).first()
    return {
        "family_public_id": baseline.family_public_id,
        "framework_version": baseline.framework_version,
        "as_of": as_of.isoformat(),
        "lead_agency": baseline.lead_agency.slug,
        "lead_practitioner": baseline.fixed_by.username,
        "service": baseline.service,
        "plan": {
            "engaged_on": baseline.engaged_on.isoformat(),
            "casework_ref": baseline.casework_ref,
        },
        "closure": {
            "support_ended_on": baseline.support_ended_on.isoformat()
            if baseline.support_ended_on
            else None,
            "closure_ref": baseline.closure_ref,
            "case_closure_id": baseline.case_closure_id,
        },
        "needs": [
            {
                "outcome": a.need.outcome,
                "descriptor": a.need.descriptor,
                "level": a.need.level,
                "evidence": a.need.evidence,
                "last_status": a.last.status if a.last else None,
                "sustained": a.sustain.state.value,
                "sustained_reason": a.sustain.reason,
                "window": [
                    a.sustain.window_start.isoformat() if a.sustain.window_start else None,
                    a.sustain.window_end.isoformat() if a.sustain.window_end else None,
                ],
                "window_records": [r.as_pointer() for r in a.records],
            }
            for a in assessment.needs
        ],
        "reviews": reviews,
        "equivalent_progress": (
            {
                "reason": equivalent.reason,
                "approved_by": equivalent.approved_by.username,
                "recorded_by": equivalent.recorded_by.username,
            }
            if equivalent is not None and equivalent.approved_by is not None
            else None
        ),
        "basis": assessment.basis,
    }


@transaction.atomic
def make_claim(
    *, by: Any, baseline: Baseline, as_of: dt.date | None = None, request_id: str | None = None
) -> Claim:
    """Make a candidate claim when the outcome is achieved, freezing and sealing its evidence."""
    _require_role(by, Role.PRACTITIONER, Role.TEAM_MANAGER)
    as_of = as_of or timezone.localdate()
    assessment = selectors.assess_outcome(
        user=by, baseline=baseline, as_of=as_of, request_id=request_id
    )
    if not assessment.achieved:
        raise OutcomesError(f"No claim: {assessment.reason}")
    hidden = sum(a.withheld for a in assessment.needs)
    if hidden and assessment.basis != "equivalent_progress":
        raise OutcomesError(
            f"No claim: {hidden} record(s) needed to check that progress was sustained are not "
            "shared with you for outcomes review; a colleague whose agency may see them can claim."
        )
    if hasattr(baseline, "claim"):
        raise OutcomesError("This engagement has already been claimed.")
    period = claim_period(as_of)
    pack = _evidence_pack(assessment, as_of)
    digest = pack_hash(pack)
    entry = _audit(
        by,
        baseline.family_public_id,
        f"Outcome claim for {period}: evidence pack sealed, sha256 {digest}.",
        purpose=selectors.REVIEW_PURPOSE,
        request_id=request_id,
    )
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                baseline=baseline,
                family_public_id=baseline.family_public_id,
                period=period,
                basis=assessment.basis,
                lead_agency=baseline.lead_agency,
                created_by=by,
                evidence_pack=pack,
                pack_hash=digest,
                audit_sequence=entry.sequence,
                audit_entry_hash=entry.entry_hash,
            )
    except IntegrityError as error:
        raise OutcomesError(
            f"Family {baseline.family_public_id} has already been claimed for {period}."
        ) from error
    ClaimTransition.objects.create(
        claim=claim, from_status="", to_status=ClaimStatus.CANDIDATE, by=by, note=assessment.reason
    )
    return claim


def pack_intact(claim: Claim) -> bool:
    """The stored pack still hashes to what the audit chain sealed."""
    from wraparound.sharing.models import AuditEntry

    entry = AuditEntry.objects.filter(sequence=claim.audit_sequence).first()
    return (
        entry is not None
        and entry.entry_hash == claim.audit_entry_hash
        and claim.pack_hash in entry.reason
        and pack_hash(claim.evidence_pack) == claim.pack_hash
    )


@dataclass(frozen=True)
class Seal:
    """Where a claim's evidence pack is sealed in the audit chain, for the auditor to see."""

    sequence: int
    entry_hash: str
    prev_hash: str  # the entry before it: the link that makes a rewrite show
    sealed_at: Any
    intact: bool


def seal_of(claim: Claim) -> Seal:
    """The audit-chain entry that sealed the claim's pack, and whether the pack still matches."""
    from wraparound.sharing.models import AuditEntry

    entry = AuditEntry.objects.filter(sequence=claim.audit_sequence).first()
    return Seal(
        claim.audit_sequence,
        claim.audit_entry_hash,
        entry.prev_hash if entry is not None else "",
        entry.occurred_at if entry is not None else None,
        pack_intact(claim),
    )


def _purpose_of(by: Any) -> str:
    """The purpose a claim step is done for: internal audit's, or the claiming team's."""
    return selectors.ASSURANCE_PURPOSE if by.role == Role.AUDITOR else selectors.REVIEW_PURPOSE


def _move(claim: Claim, to: str, *, by: Any, note: str, request_id: str | None) -> Claim:
    ClaimTransition.objects.create(
        claim=claim, from_status=claim.status, to_status=to, by=by, note=note
    )
    claim.status = to
    claim.save(update_fields=["status", "audit_answers"])
    _audit(
        by,
        claim.family_public_id,
        f"Claim {claim.pk} ({claim.period}) moved to {ClaimStatus(to).label.lower()}. {note}".strip(),
        purpose=_purpose_of(by),
        request_id=request_id,
    )
    return claim


def _independent_of(claim: Claim, by: Any) -> None:
    """Separation of duties: nobody audits a claim they made or validated (roles can change)."""
    if claim.created_by_id == by.pk:
        raise OutcomesError("An auditor cannot check a claim they made.")
    if claim.claim_transitions.filter(to_status=ClaimStatus.VALIDATED, by=by).exists():
        raise OutcomesError("An auditor cannot check a claim they validated: ask another auditor.")


def _locked(claim: Claim, *expected: str) -> Claim:
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.status not in expected:
        raise OutcomesError(
            f"Claim {claim.pk} is {claim.get_status_display().lower()}, not {' or '.join(expected)}."
        )
    return claim


@transaction.atomic
def validate_claim(*, by: Any, claim: Claim, request_id: str | None = None) -> Claim:
    """A team manager, not the claimant, checks the sealed pack and validates the claim."""
    _require_role(by, Role.TEAM_MANAGER)
    claim = _locked(claim, ClaimStatus.CANDIDATE)
    if claim.created_by_id == by.pk:
        raise OutcomesError("A claim is validated by someone other than the person who made it.")
    if not pack_intact(claim):
        raise OutcomesError("The evidence pack no longer matches its sealed hash: do not validate.")
    return _move(
        claim,
        ClaimStatus.VALIDATED,
        by=by,
        note="Pack hash checked against the audit chain.",
        request_id=request_id,
    )


def _sample_key(claim: Claim, seed: str) -> str:
    return hashlib.sha256(f"{seed}:{claim.pk}:{claim.pack_hash}".encode()).hexdigest()


@transaction.atomic
def sample_for_audit(
    *, by: Any, period: str, rate: float = 0.1, seed: str = "", request_id: str | None = None
) -> list[Claim]:
    """Internal audit draws its sample of a period's validated claims (at least one).

    Claims the auditor made or validated (someone whose role changed) are left out of the
    pool: another auditor samples and checks those.
    """
    _require_role(by, Role.AUDITOR)
    if not 0 < rate <= 1:
        raise OutcomesError("The sample rate is a fraction between 0 and 1.")
    pool = list(
        Claim.objects.select_for_update()
        .filter(period=period, status=ClaimStatus.VALIDATED)
        .exclude(created_by=by)
        .exclude(claim_transitions__to_status=ClaimStatus.VALIDATED, claim_transitions__by=by)
    )
    if not pool:
        raise OutcomesError(f"No validated claims for {period} to sample.")
    size = max(1, round(len(pool) * rate))
    chosen = sorted(pool, key=lambda c: _sample_key(c, seed or period))[:size]
    return [
        _move(
            c,
            ClaimStatus.SAMPLED,
            by=by,
            note=f"Sampled {size} of {len(pool)}.",
            request_id=request_id,
        )
        for c in chosen
    ]


AUDIT_QUESTIONS = {
    "eligibility": "Was the family eligible (dependent children or expectant, at least three needs)?",
    "whole_family": "Was there whole-family working: a lead practitioner, assessment and plan?",
    "evidence": "Does the evidence show every need met and sustained (or equivalent progress)?",
}


@transaction.atomic
def record_spot_check(
    *,
    by: Any,
    claim: Claim,
    answers: dict[str, bool],
    note: str = "",
    request_id: str | None = None,
) -> Claim:
    """The internal auditor's answers: all yes keeps the claim for submission, any no rejects it."""
    _require_role(by, Role.AUDITOR)
    claim = _locked(claim, ClaimStatus.SAMPLED)
    _independent_of(claim, by)
    if set(answers) != set(AUDIT_QUESTIONS):
        raise OutcomesError("Answer every spot-check question.")
    if not all(answers.values()) and not note.strip():
        raise OutcomesError("Say why the claim fails the spot check.")
    claim.audit_answers = {
        "answers": answers,
        "note": note.strip(),
        "by": by.username,
        "intact": pack_intact(claim),
        "at": timezone.now().isoformat(),
    }
    if all(answers.values()) and claim.audit_answers["intact"]:
        claim.save(update_fields=["audit_answers"])
        _audit(
            by,
            claim.family_public_id,
            f"Claim {claim.pk} passed the spot check.",
            purpose=selectors.ASSURANCE_PURPOSE,
            request_id=request_id,
        )
        return claim
    return _move(
        claim,
        ClaimStatus.REJECTED,
        by=by,
        note=note.strip() or "Pack hash did not match.",
        request_id=request_id,
    )


@transaction.atomic
def submit_claims(
    *, by: Any, period: str, note: str = "", request_id: str | None = None
) -> list[Claim]:
    """Submit a period's validated claims and the sampled ones that passed the spot check."""
    _require_role(by, Role.TEAM_MANAGER)
    ready, unchecked = selectors.claims_ready(period, lock=True)
    if unchecked:
        raise OutcomesError("Finish the internal audit of the sampled claims before submitting.")
    if not ready:
        raise OutcomesError(f"No claims for {period} are ready to submit.")
    said = f"Included in the quarterly return. {note.strip()}".strip()
    return [_move(c, ClaimStatus.SUBMITTED, by=by, note=said, request_id=request_id) for c in ready]
