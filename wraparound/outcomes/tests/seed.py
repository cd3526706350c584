"""Outcomes behind the access-test URLs: a baseline for F-ACCESS01 and its claim, sealed and
drawn into the internal-audit sample, whose pack carries values no access-test user may see.

Built from rows, not through the services (the access-test users and the seeded agencies
have no agreement; the pages must refuse them, audited, without showing the pack).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from wraparound.core.models import Agency, User
from wraparound.outcomes.framework import framework_for
from wraparound.outcomes.models import Baseline, BaselineNeed, Claim, ClaimStatus, ClaimTransition
from wraparound.outcomes.selectors import REVIEW_PURPOSE
from wraparound.outcomes.services import pack_hash
from wraparound.sharing import audit
from wraparound.sharing.models import AuditAction, AuditOutcome

FAMILY = "F-ACCESS01"
POINTER = "seed-early-help:incidents:Sentineloutcomerecord:domestic_abuse_incident:1"
PERIOD = "2024-Q1"  # older than any demo claim: internal audit's list shows it last


def seed(context: dict[str, Any]) -> None:
    early_help = Agency.objects.get(slug="seed-early-help")
    lead = User.objects.get(username="seed-eh-lead")
    today = timezone.localdate()
    engaged = today - dt.timedelta(days=500)
    pointer = {
        "event_key": POINTER,
        "agency_slug": early_help.slug,
        "kind": "domestic_abuse_incident",
        "event_date": (engaged - dt.timedelta(days=30)).isoformat(),
    }
    baseline = Baseline.objects.create(
        family_public_id=FAMILY,
        framework_version=framework_for(today).version,
        engaged_on=engaged,
        fixed_by=lead,
        lead_agency=early_help,
        service="Sentineloutcomeservice",
        support_ended_on=engaged + dt.timedelta(days=185),
    )
    BaselineNeed.objects.create(
        baseline=baseline,
        outcome="safe_from_domestic_abuse",
        descriptor="domestic_abuse",
        level=2,
        indicators=["domestic_abuse"],
        evidence=[pointer],
    )
    pack = {
        "family_public_id": FAMILY,
        "framework_version": baseline.framework_version,
        "as_of": today.isoformat(),
        "lead_agency": early_help.slug,
        "lead_practitioner": lead.username,
        "service": baseline.service,
        "plan": {"engaged_on": engaged.isoformat(), "casework_ref": ""},
        "closure": {"support_ended_on": str(baseline.support_ended_on), "closure_ref": ""},
        "needs": [
            {
                "outcome": "safe_from_domestic_abuse",
                "descriptor": "domestic_abuse",
                "level": 2,
                "evidence": [pointer],
                "last_status": "met",
                "sustained": "sustained",
                "sustained_reason": "Sentineloutcomereason",
                "window": [None, None],
                "window_records": [],
            }
        ],
        "reviews": [],
        "equivalent_progress": None,
        "basis": "met_and_sustained",
    }
    digest = pack_hash(pack)
    seal = audit.record_access(
        user=lead,
        action=AuditAction.AMEND,
        outcome=AuditOutcome.PERMIT,
        purpose=REVIEW_PURPOSE,
        family_public_id=FAMILY,
        reason=f"Outcome claim for {PERIOD}: evidence pack sealed, sha256 {digest}.",
    )
    claim = Claim.objects.create(
        baseline=baseline,
        family_public_id=FAMILY,
        period=PERIOD,
        status=ClaimStatus.SAMPLED,
        basis=pack["basis"],
        lead_agency=early_help,
        created_by=lead,
        evidence_pack=pack,
        pack_hash=digest,
        audit_sequence=seal.sequence,
        audit_entry_hash=seal.entry_hash,
    )
    ClaimTransition.objects.create(
        claim=claim, from_status=ClaimStatus.VALIDATED, to_status=ClaimStatus.SAMPLED, by=lead
    )
    context["outcomes_baseline"] = baseline
    context["outcomes_claim"] = claim
    context.setdefault("personal_values", []).extend(
        ["Sentineloutcomerecord", "Sentineloutcomeservice", "Sentineloutcomereason"]
    )
