"""Demo outcomes: baselines, a review with proposals, claims through the pipeline.

Runs after casework has allocated caseloads. It adds the partnership's outcomes agreement
(DSA-005: outcomes review and claim assurance, public task, no consent basis) and, for the
early-help practitioner:

- baselines for their allocated families (a review waits to be recorded: the proposals show);
- families whose needs the data show met and sustained, found in the county, referred to
  early help and taken through a review, end of support and a claim. One claim goes all the
  way to submitted in the previous quarter (so its quarterly return downloads); one waits in
  this quarter's internal-audit sample for the early-help internal auditor (the demo's
  ``hcc-early-help-auditor`` sign-in, role internal auditor) to open. The team manager
  validates and submits; the auditor draws the sample and checks it. In a county too small
  for a family whose data show sustained progress, caseload families reach the claims by an
  approved equivalent progress decision instead.

Everything goes through the services (gated reads, audited writes), as a user would.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from wraparound.core.demo import DEMO_PASSWORD
from wraparound.core.models import Agency, Role, User
from wraparound.outcomes import selectors, services, sources
from wraparound.outcomes.framework import Framework, framework_for
from wraparound.outcomes.models import Baseline
from wraparound.outcomes.services import OutcomesError, StatusEntry
from wraparound.sharing.catalogues import catalogues
from wraparound.sharing.models import CareRelationship, RelationshipKind, SharingAgreement
from wraparound.sharing.services import (
    AgreementDraft,
    PartySpec,
    add_relationship,
    approve_agreement,
    create_agreement,
)

REVIEW_AFTER_DAYS = 185


def _ig(agency: Agency) -> User:
    officer = User.objects.filter(agency=agency, role=Role.IG_OFFICER).first()
    if officer is None:
        officer = User.objects.create(
            username=f"{agency.slug}-ig-officer", agency=agency, role=Role.IG_OFFICER
        )
    return officer


def _agreement(agencies: list[Agency]) -> SharingAgreement:
    existing = SharingAgreement.objects.filter(reference="DSA-005").first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    provided = catalogues().provided_by_kind
    draft = AgreementDraft(
        reference="DSA-005",
        title="Supporting Families progress, outcomes and claim assurance",
        purpose_statement=(
            "To review the progress of families supported under the Supporting Families programme "
            "against their needs at engagement, to check that progress is sustained after support "
            "ends, and to let internal audit check outcome claims against their evidence. Public "
            "task; consent is not the basis."
        ),
        purposes=[selectors.REVIEW_PURPOSE, selectors.ASSURANCE_PURPOSE],
        parties=[PartySpec(a, ["ART6_1_E"], list(provided.get(a.kind, []))) for a in agencies],
        start_date=today - dt.timedelta(days=400),
        end_date=today + dt.timedelta(days=700),
        review_date=today + dt.timedelta(days=180),
        retention="Seven years after the claim, for audit",
        consent_required=False,
        dpia_reference="DPIA-2025-040",
    )
    agreement = create_agreement(by=_ig(agencies[0]), draft=draft)
    for agency in agencies:
        agreement = approve_agreement(by=_ig(agency), agreement=agreement)
    return agreement


def sustained_candidates(framework: Framework, *, limit: int = 4) -> list[tuple[str, dt.date]]:
    """Families whose flagged needs all went quiet long enough ago for a claim to be due.

    (family, engagement date): engaged the day after the last concern event, so the baseline
    holds every flagged need and the data show each met and sustained through its window.
    """
    from wraparound.needs.models import NeedFlag
    from wraparound.needs.reports import latest_run

    run = latest_run()
    if run is None:
        return []
    descriptors: dict[str, set[str]] = defaultdict(set)
    for family, indicator in NeedFlag.objects.filter(run=run).values_list(
        "family_public_id", "indicator_key"
    ):
        descriptor = framework.descriptor_for_indicator(indicator)
        if descriptor is not None:
            descriptors[family].add(descriptor.key)
    found = []
    for family, keys in sorted(descriptors.items()):
        if len(keys) < framework.min_needs:
            continue
        kinds = {k for key in keys for k in framework.descriptor(key).concern_kinds}
        dates = [e.event_date for e in sources.family_events(family, kinds)]
        if not dates:
            continue
        engaged = max(dates) + dt.timedelta(days=1)
        window = max(framework.descriptor(k).sustained.window_days for k in keys)
        covered = min(sources.coverage_by_kind(kinds).values())
        if engaged + dt.timedelta(days=REVIEW_AFTER_DAYS + window) <= covered:
            found.append((family, engaged))
        if len(found) >= limit:
            break
    return found


def _closing_review(user: User, baseline: Baseline, on: dt.date) -> None:
    """The practitioner's closing review: met where the family, the services and the quiet
    data agree; otherwise the data's proposal as it stands, and no change where the data
    cannot tell yet (the practitioner's own judgement, not the data's)."""
    proposals = selectors.review_proposals(user=user, baseline=baseline, review_on=on)
    statuses = {
        p.need.pk: StatusEntry(
            "met" if p.proposal.quiet else p.proposal.status.as_recorded().value,
            "TAF review: the family and the services report no recurrence. "
            f"Data: {p.proposal.reason}",
        )
        for p in proposals
    }
    services.record_review(
        by=user, baseline=baseline, reviewed_on=on, statuses=statuses, notes="Closing review."
    )


def _claim(practitioner: User, family: str, engaged: dt.date, *, as_of: dt.date) -> Any:
    assert practitioner.agency is not None
    add_relationship(
        family_public_id=family,
        kind=RelationshipKind.REFERRAL_TO_AGENCY,
        agency=practitioner.agency,
        user=practitioner,
    )
    baseline = services.fix_baseline(
        by=practitioner, family_public_id=family, engaged_on=engaged, service="Family Help"
    )
    closing = engaged + dt.timedelta(days=REVIEW_AFTER_DAYS)
    _closing_review(practitioner, baseline, closing)
    services.end_support(
        by=practitioner, baseline=baseline, ended_on=closing, closure_ref="Closing TAF review"
    )
    return services.make_claim(by=practitioner, baseline=baseline, as_of=as_of)


def _equivalent_claim(
    practitioner: User, manager: User, baseline: Baseline, *, as_of: dt.date
) -> Any:
    """A claim by equivalent progress: recorded with its reason, approved by the manager."""
    services.record_equivalent_progress(
        by=practitioner,
        baseline=baseline,
        reason=(
            "The family's needs were met through support the linked data do not hold: they "
            "moved to a housing association tenancy outside the council's records, and the "
            "school confirmed attendance above 95% in writing (letter on the case file)."
        ),
    )
    services.approve_equivalent_progress(by=manager, baseline=baseline)
    ended = min(baseline.engaged_on + dt.timedelta(days=REVIEW_AFTER_DAYS), as_of)
    services.end_support(
        by=practitioner, baseline=baseline, ended_on=ended, closure_ref="Closing TAF review"
    )
    return services.make_claim(by=practitioner, baseline=baseline, as_of=as_of)


def load_demo(context: dict[str, Any]) -> str:
    if Baseline.objects.exists():
        return "outcomes already loaded"
    agencies = list(Agency.objects.order_by("name"))
    early_help = next((a for a in agencies if a.slug == "hcc-early-help"), None)
    practitioner = User.objects.filter(agency=early_help, role=Role.PRACTITIONER).first()
    manager = User.objects.filter(agency=early_help, role=Role.TEAM_MANAGER).first()
    auditor = User.objects.filter(agency=early_help, role=Role.AUDITOR).first()
    if early_help is None or practitioner is None or manager is None or auditor is None:
        return "no early-help practitioner, manager and auditor: outcomes demo skipped"
    _agreement(agencies)
    today = timezone.localdate()
    framework = framework_for(today)
    baselines = 0
    # Engaged 200 days before the records end, so a review shows events on both sides.
    kinds = {k for d in framework.descriptors for k in d.concern_kinds}
    data_end = min(sources.coverage_by_kind(kinds).values(), default=today)
    caseload = CareRelationship.objects.filter(user=practitioner).values_list(
        "family_public_id", flat=True
    )
    fixed: list[Baseline] = []
    for family in list(dict.fromkeys(caseload))[:4]:
        try:
            fixed.append(
                services.fix_baseline(
                    by=practitioner,
                    family_public_id=family,
                    engaged_on=data_end - dt.timedelta(days=200),
                    service="Family Help",
                )
            )
            baselines += 1
        except OutcomesError:
            continue
    claims: list[Any] = []
    last_quarter = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1) - dt.timedelta(days=1)
    for family, engaged in sustained_candidates(framework, limit=8):
        if len(claims) == 2:
            break
        try:
            with transaction.atomic():
                as_of = last_quarter if not claims else today
                claims.append(_claim(practitioner, family, engaged, as_of=as_of))
        except OutcomesError:
            continue  # e.g. the data at the closing review did not propose "met" for a need
    # A small county may hold no family whose data show sustained progress: the last of the
    # caseload's baselines reach a claim by an approved equivalent progress decision instead
    # (the framework's other route), so internal audit always has a sample to open.
    for baseline in reversed(fixed[2:]):
        if len(claims) == 2:
            break
        try:
            with transaction.atomic():
                as_of = last_quarter if not claims else today
                claims.append(_equivalent_claim(practitioner, manager, baseline, as_of=as_of))
        except OutcomesError:
            continue
    for claim in claims:
        services.validate_claim(by=manager, claim=claim)
        services.sample_for_audit(by=auditor, period=claim.period, rate=1.0)
    if claims:
        first = claims[0]
        first.refresh_from_db()
        services.record_spot_check(
            by=auditor,
            claim=first,
            answers=dict.fromkeys(services.AUDIT_QUESTIONS, True),
            note="Demo: checked against the pack.",
        )
        services.submit_claims(by=manager, period=first.period)
    return (
        f"{baselines + len(claims)} outcome baselines; {len(claims)} claim(s) "
        f"({', '.join(f'{c.pk} {c.period}' for c in claims) or 'none'}); internal auditor sign-in "
        f"{auditor.username} / {DEMO_PASSWORD}"
    )
