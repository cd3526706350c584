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
    AccessRow("records:history", frozenset({R.DATA_ANALYST})),
    AccessRow("records:upload", frozenset({R.DATA_ANALYST})),
    AccessRow(
        "records:extract",
        frozenset({R.DATA_ANALYST}),
        kwargs=lambda s: {"pk": s["records_extract"].pk},
    ),
    # A staged upload belongs to the analyst who uploaded it: other analysts get 404, other roles 403.
    AccessRow(
        "records:confirm",
        frozenset({R.DATA_ANALYST}),
        kwargs=lambda s: {"token": "not-their-upload-token"},
        ok_statuses=frozenset({404}),
    ),
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
# Directory (issue 7): the public ORUK 3.0 API needs no sign-in; the directory is open to every
# role; the partnership map's analysis to the roles that coordinate; feeds to admins and analysts.
_DIRECTORY_MAP = frozenset({R.PRACTITIONER, R.TEAM_MANAGER, R.DATA_ANALYST, R.ADMINISTRATOR})
_DIRECTORY_FEED = frozenset({R.ADMINISTRATOR, R.DATA_ANALYST})
EXPECTED += [
    AccessRow("oruk:api-details", PUBLIC),
    AccessRow("oruk:services", PUBLIC),
    AccessRow(
        "oruk:service", PUBLIC, kwargs=lambda s: {"service_id": str(s["directory_service"].id)}
    ),
    AccessRow("oruk:taxonomies", PUBLIC),
    AccessRow(
        "oruk:taxonomy", PUBLIC, kwargs=lambda s: {"taxonomy_id": str(s["directory_taxonomy"].id)}
    ),
    AccessRow("oruk:taxonomy-terms", PUBLIC),
    AccessRow(
        "oruk:taxonomy-term", PUBLIC, kwargs=lambda s: {"term_id": str(s["directory_term"].id)}
    ),
    AccessRow("oruk:organizations", PUBLIC),
    AccessRow(
        "oruk:organization",
        PUBLIC,
        kwargs=lambda s: {"organization_id": str(s["directory_organization"].id)},
    ),
    AccessRow("oruk:service-at-locations", PUBLIC),
    AccessRow(
        "oruk:service-at-location",
        PUBLIC,
        kwargs=lambda s: {"link_id": str(s["directory_service_at_location"].id)},
    ),
    AccessRow("directory:search", ALL_ROLES),
    AccessRow(
        "directory:service", ALL_ROLES, kwargs=lambda s: {"service_id": s["directory_service"].id}
    ),
    AccessRow("directory:map", _DIRECTORY_MAP),
    AccessRow("directory:overlaps", _DIRECTORY_MAP),
    AccessRow("directory:gaps", _DIRECTORY_MAP),
    AccessRow("directory:feed", _DIRECTORY_FEED),
    AccessRow("directory:feed-export", _DIRECTORY_FEED),
]
# Joint training (issue 7): events for everyone; who has not trained together for those who plan.
EXPECTED += [
    AccessRow("training:events", ALL_ROLES),
    AccessRow("training:event", ALL_ROLES, kwargs=lambda s: {"pk": s["training_event"].pk}),
    AccessRow(
        "training:not-together", frozenset({R.TEAM_MANAGER, R.DATA_ANALYST, R.ADMINISTRATOR})
    ),
]

# --- sharing (wraparound.sharing) -------------------------------------------------------------
_SHARING_CASEWORK = frozenset({R.PRACTITIONER, R.TEAM_MANAGER})
_SHARING_IG = frozenset({R.IG_OFFICER})
EXPECTED += [
    AccessRow("sharing:agreements", ALL_ROLES),
    AccessRow("sharing:agreement-new", _SHARING_IG),
    AccessRow("sharing:agreement", ALL_ROLES, lambda s: {"pk": s["sharing"]["approved"].pk}),
    AccessRow("sharing:agreement-text", ALL_ROLES, lambda s: {"pk": s["sharing"]["approved"].pk}),
    AccessRow("sharing:agreement-edit", _SHARING_IG, lambda s: {"pk": s["sharing"]["draft"].pk}),
    AccessRow("sharing:agreement-approve", _SHARING_IG, lambda s: {"pk": s["sharing"]["draft"].pk}),
    AccessRow(
        "sharing:agreement-suspend", _SHARING_IG, lambda s: {"pk": s["sharing"]["approved"].pk}
    ),
    AccessRow(
        "sharing:agreement-new-version", _SHARING_IG, lambda s: {"pk": s["sharing"]["approved"].pk}
    ),
    AccessRow("sharing:consents", _SHARING_CASEWORK | _SHARING_IG),
    AccessRow("sharing:consent-new", _SHARING_CASEWORK | _SHARING_IG),
    AccessRow("sharing:break-glass-new", _SHARING_CASEWORK),
    AccessRow("sharing:governance", _SHARING_IG),
    AccessRow("sharing:break-glass-queue", _SHARING_IG),
    AccessRow(
        "sharing:break-glass-review", _SHARING_IG, lambda s: {"pk": s["sharing"]["grant"].pk}
    ),
    AccessRow("sharing:audit-log", _SHARING_IG),
    AccessRow("sharing:report-denied", _SHARING_IG),
    AccessRow("sharing:report-break-glass", _SHARING_IG),
    AccessRow("sharing:subject-access", _SHARING_IG),
]
EXPECTED += [
    AccessRow("matching:queue", frozenset({R.DATA_ANALYST})),
    AccessRow(
        "matching:pair", frozenset({R.DATA_ANALYST}), lambda s: {"pk": s["matching_pair"].pk}
    ),
    AccessRow(
        "matching:person",
        frozenset({R.DATA_ANALYST}),
        lambda s: {"public_id": s["matching_person"].public_id},
    ),
    # Merge and split are POST-only actions: an empty form redirects back with an error.
    AccessRow(
        "matching:merge",
        frozenset({R.DATA_ANALYST}),
        lambda s: {"public_id": s["matching_person"].public_id},
        method="post",
        ok_statuses=frozenset({302}),
    ),
    AccessRow(
        "matching:split",
        frozenset({R.DATA_ANALYST}),
        lambda s: {"public_id": s["matching_person"].public_id},
        method="post",
        ok_statuses=frozenset({302}),
    ),
    AccessRow("matching:history", frozenset({R.DATA_ANALYST})),
]
# Progress and outcomes (issue 16). Family pages and baseline actions need a relationship
# (the access-test users have none: refused, or 404 for a baseline that does not exist);
# claims and the internal-audit sample are team managers' (the auditor is a team manager,
# see docs/outcomes.md); aggregates are refused by the gate without an agreement (302 back).
_CASEWORK = frozenset({R.PRACTITIONER, R.TEAM_MANAGER})
_NOT_A_BASELINE = frozenset({404})
EXPECTED += [
    AccessRow("outcomes:home", _CASEWORK),
    AccessRow("outcomes:family", NO_ROLE, kwargs=lambda s: {"family_public_id": "F-ACCESS01"}),
    # POST-only; without a family named it is a 404 (nothing is read).
    AccessRow("outcomes:fix-baseline", _CASEWORK, method="post", ok_statuses=_NOT_A_BASELINE),
    AccessRow("outcomes:review", _CASEWORK, lambda s: {"pk": 999999}, ok_statuses=_NOT_A_BASELINE),
    AccessRow(
        "outcomes:end-support",
        _CASEWORK,
        lambda s: {"pk": 999999},
        method="post",
        ok_statuses=_NOT_A_BASELINE,
    ),
    AccessRow(
        "outcomes:make-claim",
        _CASEWORK,
        lambda s: {"pk": 999999},
        method="post",
        ok_statuses=_NOT_A_BASELINE,
    ),
    AccessRow(
        "outcomes:equivalent-progress",
        _CASEWORK,
        lambda s: {"pk": 999999},
        method="post",
        ok_statuses=_NOT_A_BASELINE,
    ),
    AccessRow("outcomes:claims", frozenset({R.TEAM_MANAGER})),
    AccessRow(
        "outcomes:claim-action",
        frozenset({R.TEAM_MANAGER}),
        lambda s: {"action": "sample"},
        method="post",
        ok_statuses=frozenset({302}),  # nothing to sample: back to claims with the reason
    ),
    AccessRow(
        "outcomes:audit",
        frozenset({R.TEAM_MANAGER}),
        lambda s: {"pk": 999999},
        ok_statuses=_NOT_A_BASELINE,
    ),
    AccessRow(
        "outcomes:return",
        frozenset({R.TEAM_MANAGER, R.DATA_ANALYST}),
        lambda s: {"period": "2026-Q1"},
        ok_statuses=frozenset({200, 302}),  # 302: refused by the sharing gate
    ),
    AccessRow("outcomes:dashboard", frozenset({R.TEAM_MANAGER, R.DATA_ANALYST})),
    AccessRow(
        "outcomes:dashboard-export",
        frozenset({R.TEAM_MANAGER, R.DATA_ANALYST}),
        lambda s: {"fmt": "csv"},
        ok_statuses=frozenset({200, 302}),
    ),
]
