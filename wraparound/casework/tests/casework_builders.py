"""A family with an open case and a small team, for casework service and page tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from wraparound.casework import services
from wraparound.casework.models import FamilyCase
from wraparound.casework.tests.builders import KnownFamily, known_family
from wraparound.core.models import AgencyKind, Role
from wraparound.sharing.models import RelationshipKind
from wraparound.sharing.tests import factories as sharing


@dataclass
class Team:
    family: KnownFamily
    case: FamilyCase
    manager: Any  # early help team manager
    lead: Any  # early help practitioner
    colleague: Any  # another early help practitioner
    health_visitor: Any  # community health, a team member
    social_care: Any  # children's social care agency
    social_care_manager: Any
    social_worker: Any


def open_after_referral(*, by: Any, family_public_id: str, lead: Any, **kwargs: Any) -> FamilyCase:
    """Open a case along the commonest route in: a referral to ``by``'s agency was accepted
    (a relationship held for early help), which ends once the case's own team holds it."""
    referral = sharing.relationship(
        by,
        family_public_id,
        kind=RelationshipKind.REFERRAL_TO_AGENCY,
        purpose="early_help_coordination",
    )
    case = services.open_case(by=by, family_public_id=family_public_id, lead=lead, **kwargs)
    referral.ended_at = timezone.now()
    referral.save(update_fields=["ended_at"])
    return case


def team_around_family(family_public_id: str = "F-TEST0001", extra_events: int = 0) -> Team:
    family = known_family(family_public_id, extra_events=extra_events)
    manager = sharing.worker(family.early_help, role=Role.TEAM_MANAGER, username="mo-manager")
    lead = sharing.worker(
        family.early_help, username="lee-lead", first_name="Lee", last_name="Lead"
    )
    colleague = sharing.worker(family.early_help, username="cal-colleague")
    health_visitor = sharing.worker(
        family.health, username="hana-hv", first_name="Hana", last_name="Visitor"
    )
    social_care = sharing.agency(
        AgencyKind.SOCIAL_CARE, slug="childrens-services", name="Children's Services"
    )
    sc_manager = sharing.worker(social_care, role=Role.TEAM_MANAGER, username="sam-scm")
    social_worker = sharing.worker(social_care, username="sid-sw")
    case = open_after_referral(by=manager, family_public_id=family.family_public_id, lead=lead)
    services.add_member(by=lead, case=case, user=health_visitor, role="Health visitor")
    case.refresh_from_db()
    return Team(
        family,
        case,
        manager,
        lead,
        colleague,
        health_visitor,
        social_care,
        sc_manager,
        social_worker,
    )


def taf_agreement(team: Team) -> Any:
    """The team's agreement: early help and health share their early help (casework) records."""
    return sharing.agreement(
        parties=[team.family.early_help, team.family.health],
        shares=[(team.family.early_help, "early_help"), (team.family.health, "early_help")],
        purposes=["early_help_coordination"],
    )
