"""Who may do what to a case: the rules every casework service checks before it writes.

Roles decide pages; these rules decide actions on one case. Reading stays the sharing
policy's business (``workspace``); these answer "may this person change this case?".
"""

from __future__ import annotations

from typing import Any

from wraparound.casework.concurrency import CaseworkError
from wraparound.casework.models import FamilyCase
from wraparound.core.models import Role

CASEWORK_ROLES = frozenset({Role.PRACTITIONER, Role.TEAM_MANAGER})


def works_cases(user: Any) -> bool:
    """Practitioners and team managers of a partner agency, still active."""
    return bool(
        getattr(user, "is_active", False)
        and getattr(user, "agency_id", None)
        and getattr(user, "role", None) in CASEWORK_ROLES
    )


def manages(user: Any, agency_id: int) -> bool:
    """A team manager of that agency."""
    return works_cases(user) and user.role == Role.TEAM_MANAGER and user.agency_id == agency_id


def is_member(user: Any, case: FamilyCase) -> bool:
    return case.members.filter(user=user, left_on__isnull=True).exists()


def require_caseworker(user: Any) -> None:
    if not works_cases(user):
        raise CaseworkError("Only practitioners and team managers of a partner agency do casework.")


def require_lead_or_manager(user: Any, case: FamilyCase) -> None:
    """The lead practitioner, or a team manager of the lead's agency."""
    require_caseworker(user)
    if case.lead_id != user.pk and not manages(user, case.lead_agency_id):
        raise CaseworkError(
            "Only the lead practitioner or a team manager of the lead's agency can do this."
        )


def require_team(user: Any, case: FamilyCase) -> None:
    """A current member of the team around the family, or a manager of the lead's agency."""
    require_caseworker(user)
    if not (is_member(user, case) or manages(user, case.lead_agency_id)):
        raise CaseworkError(
            "Only members of the team around this family (or the lead's team manager) can do this."
        )


def require_open(case: FamilyCase) -> None:
    if not case.is_open:
        raise CaseworkError("This case is closed: reopen it first.")
