"""Service navigation: one entry per section, shown only to the roles that may use it.

Each capability appends its own entry. The access-by-role test checks that every entry's
page really is open to exactly the roles listed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from wraparound.core.models import Role


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    roles: frozenset[str]


R = Role
NAVIGATION: list[NavEntry] = [
    NavEntry("Home", "core:home", frozenset(Role.values)),
    NavEntry("Users", "core:users", frozenset({R.ADMINISTRATOR, R.TEAM_MANAGER})),
    NavEntry("Agency extracts", "records:history", frozenset({R.DATA_ANALYST})),
    NavEntry("My families", "casework:my-families", frozenset({R.PRACTITIONER, R.TEAM_MANAGER})),
    NavEntry("Referrals", "referrals:mine", frozenset({R.PRACTITIONER, R.TEAM_MANAGER})),
    NavEntry("My tasks", "casework:my-tasks", frozenset({R.PRACTITIONER, R.TEAM_MANAGER})),
    NavEntry("Find a family", "casework:search", frozenset({R.PRACTITIONER, R.TEAM_MANAGER})),
    NavEntry("Team caseload", "casework:caseload", frozenset({R.TEAM_MANAGER})),
    NavEntry("Triage queue", "casework:triage", frozenset({R.TEAM_MANAGER})),
    NavEntry("Outcomes", "outcomes:home", frozenset({R.PRACTITIONER, R.TEAM_MANAGER})),
    NavEntry("Internal audit", "outcomes:audit-home", frozenset({R.AUDITOR})),
    NavEntry("Targeting", "needs:targeting", frozenset({R.TEAM_MANAGER, R.DATA_ANALYST})),
    NavEntry(
        "At risk, not supported", "needs:at-risk", frozenset({R.PRACTITIONER, R.TEAM_MANAGER})
    ),
    NavEntry("Directory", "directory:search", frozenset(Role.values)),
    NavEntry(
        "Partnership map",
        "directory:map",
        frozenset({R.PRACTITIONER, R.TEAM_MANAGER, R.DATA_ANALYST, R.ADMINISTRATOR}),
    ),
    NavEntry("Joint training", "training:events", frozenset(Role.values)),
    NavEntry("Sharing agreements", "sharing:agreements", frozenset(Role.values)),
    NavEntry(
        "Consent", "sharing:consents", frozenset({R.PRACTITIONER, R.TEAM_MANAGER, R.IG_OFFICER})
    ),
    NavEntry("Information governance", "sharing:governance", frozenset({R.IG_OFFICER})),
    NavEntry("Matching review", "matching:queue", frozenset({R.DATA_ANALYST})),
    NavEntry(
        "Service evaluations", "evaluation:plans", frozenset({R.TEAM_MANAGER, R.DATA_ANALYST})
    ),
]


def navigation_for(role: str | None) -> list[NavEntry]:
    """The entries a user with ``role`` sees, in order."""
    if role is None:
        return []
    return [entry for entry in NAVIGATION if role in entry.roles]
