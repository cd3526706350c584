"""The expected access table: every URL of the service, and which roles may open it.

This is the specification the access test enforces. Every new page must add a row here;
the test fails for any URL without one. Rows are data, not code paths of the product.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wraparound.core.models import Role

ALL_ROLES = frozenset(Role.values)
PUBLIC = "public"
NO_ROLE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AccessRow:
    """One URL: who may open it, and how to build its arguments against the seeded data."""

    url_name: str
    allowed: frozenset[str] | str
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    method: str = "get"
    # Statuses that count as "allowed" (a page may redirect, e.g. sign-in when signed in).
    ok_statuses: frozenset[int] = field(default_factory=lambda: frozenset({200}))


R = Role
EXPECTED: list[AccessRow] = [
    AccessRow("core:start", PUBLIC),
    AccessRow("core:sign-in", PUBLIC, ok_statuses=frozenset({200, 302})),
    AccessRow("core:signed-out", PUBLIC),
    AccessRow("core:accessibility", PUBLIC),
    AccessRow("core:home", ALL_ROLES),
    AccessRow("core:sign-out", ALL_ROLES, method="post", ok_statuses=frozenset({302})),
    AccessRow("core:users", frozenset({R.ADMINISTRATOR, R.TEAM_MANAGER})),
    # Casework. A family page opens only with a legitimate relationship (or break-glass): the
    # access-test users have none, so every role is refused. Relationship cases are tested in
    # wraparound/casework/tests.
    AccessRow("casework:my-families", frozenset({R.PRACTITIONER, R.TEAM_MANAGER})),
    AccessRow("casework:family", NO_ROLE, kwargs=lambda seeded: {"family_public_id": "F-ACCESS01"}),
]
EXPECTED += [
    AccessRow("needs:targeting", frozenset({R.TEAM_MANAGER, R.DATA_ANALYST})),
    AccessRow(
        "needs:targeting-export",
        frozenset({R.TEAM_MANAGER, R.DATA_ANALYST}),
        kwargs=lambda seeded: {"fmt": "csv"},
        ok_statuses=frozenset({200, 302}),  # 302: refused by the sharing gate, back to the report
    ),
    AccessRow("needs:at-risk", frozenset({R.PRACTITIONER, R.TEAM_MANAGER})),
    AccessRow("needs:indicators", ALL_ROLES),
]
