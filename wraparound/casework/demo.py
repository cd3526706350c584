"""Demo casework: give each demo practitioner and manager a caseload, so family pages show.

Runs after records, matching and needs have loaded the synthetic county. Practitioners are
allocated to families their own agency knows (so the page shows their own data plus what the
agreements share); early help also takes families the needs run found at risk.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from wraparound.core.models import Role, User
from wraparound.sharing.models import (
    CareRelationship,
    ConsentDecision,
    ConsentMethod,
    RelationshipKind,
)
from wraparound.sharing.services import add_relationship, record_consent

CASELOAD = 6


def _families_by_agency() -> dict[str, list[str]]:
    from wraparound.matching.models import FamilyMembership, PersonRecordLink

    family_of = dict(FamilyMembership.objects.values_list("person__public_id", "family__public_id"))
    by_agency: dict[str, set[str]] = defaultdict(set)
    for person_id, record_key in PersonRecordLink.objects.values_list(
        "person__public_id", "record_key"
    ).iterator():
        family = family_of.get(person_id)
        if family:
            by_agency[record_key.split(":", 1)[0]].add(family)
    return {slug: sorted(families) for slug, families in by_agency.items()}


def _at_risk_families() -> list[str]:
    from wraparound.needs.models import FamilyNeedsProfile, NeedsRun, RunStatus

    run = NeedsRun.objects.filter(status=RunStatus.COMPLETE).order_by("-finished_at").first()
    if run is None:
        return []
    profiles = FamilyNeedsProfile.objects.filter(run=run, at_risk=True).order_by("-outcome_count")
    return list(profiles.values_list("family_public_id", flat=True)[: CASELOAD * 4])


def load_demo(context: dict[str, Any]) -> str:
    """Caseloads (relationships and consent), then cases in every state (``demo_cases``)."""
    from wraparound.casework.demo_cases import load_cases

    if CareRelationship.objects.exists():
        return f"caseloads already allocated; {load_cases()}"
    allocations = _allocate()
    return f"{allocations}; {load_cases()}"


def _allocate() -> str:
    known = _families_by_agency()
    at_risk = _at_risk_families()
    allocated = consents = 0
    workers = User.objects.filter(
        role__in=[Role.PRACTITIONER, Role.TEAM_MANAGER], agency__isnull=False
    ).select_related("agency")
    for user in workers:
        assert user.agency is not None
        own = known.get(user.agency.slug, [])
        pool = (at_risk + own) if user.agency.kind == "early_help" else (own + at_risk)
        kind = (
            RelationshipKind.ALLOCATED_WORKER
            if user.role == Role.PRACTITIONER
            else RelationshipKind.TEAM_AROUND_FAMILY
        )
        for n, family in enumerate(list(dict.fromkeys(pool))[:CASELOAD]):
            add_relationship(
                family_public_id=family,
                kind=kind,
                agency=user.agency,
                user=user,
                # Children's social care holds its cases for safeguarding (its statutory role);
                # everyone else's allocation is for early help coordination.
                purpose="safeguarding" if user.agency.kind == "social_care" else None,
            )
            allocated += 1
            # Most families agreed to early help sharing; the last of each caseload has not
            # been asked yet, so the demo also shows what a practitioner sees without consent.
            if user.role == Role.PRACTITIONER and n < CASELOAD - 1:
                record_consent(
                    by=user,
                    family_public_id=family,
                    decision=ConsentDecision.GIVEN,
                    given_by="Parent (demo)",
                    method=ConsentMethod.IN_PERSON,
                    notes="Agreed at the early help assessment.",
                )
                consents += 1
    return (
        f"{allocated} practitioner and manager allocations to families; "
        f"{consents} families' consent to early help sharing recorded"
    )
