"""The expected access table: every URL of the service, and which roles may open it.

This is the specification the access tests enforce. Every new page must add a row here;
the test fails for any URL without one. Rows are data, not code paths of the product.

How to add a row::

    AccessRow("app:url-name", frozenset({R.PRACTITIONER}),          # roles that may open it
              kwargs=lambda s: {"pk": s["my_object"].pk},           # URL arguments from the seed
              query=lambda s: {"q": "..."},                         # optional GET query
              method="get", ok_statuses=frozenset({200}),
              personal_data=True)                                   # see below

``personal_data=True`` says the page shows (or could show) personal data about a named family
or person, or figures derived from it. For every such row, every role and every kind of
agency, ``test_personal_data_is_always_audited`` signs in a user with no need to know (no
relationship, no agreement, no emergency access) and asserts: the page refuses or shows
nothing personal, the response wrote exactly one audit entry for that user, and no seeded
personal value (the seed context's ``personal_values`` list) appears in the body. Seed what
your page would show through your app's ``tests/seed.py`` (and add its distinctive values to
``personal_values``) so that check has something to catch.
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
    # Shows personal data (or figures derived from it): enumerated by the audit test.
    personal_data: bool = False
    query: Callable[[dict[str, Any]], dict[str, Any]] | None = None


R = Role
EXPECTED: list[AccessRow] = [
    AccessRow("core:start", PUBLIC),
    AccessRow("core:sign-in", PUBLIC, ok_statuses=frozenset({200, 302})),
    AccessRow("core:signed-out", PUBLIC),
    AccessRow("core:accessibility", PUBLIC),
    AccessRow("core:home", ALL_ROLES),
    AccessRow("core:sign-out", ALL_ROLES, method="post", ok_statuses=frozenset({302})),
    AccessRow("core:users", frozenset({R.ADMINISTRATOR, R.TEAM_MANAGER})),
    # A background job's page belongs to the person who asked for the work: anyone else, 404.
    AccessRow(
        "core:job",
        ALL_ROLES,
        kwargs=lambda s: {"public_id": "00000000-0000-4000-8000-000000000000"},
        ok_statuses=frozenset({404}),
    ),
    AccessRow("records:history", frozenset({R.DATA_ANALYST})),
    AccessRow("records:upload", frozenset({R.DATA_ANALYST})),
    AccessRow(
        "records:extract",
        frozenset({R.DATA_ANALYST}),
        kwargs=lambda s: {"pk": s["records_extract"].pk},
        personal_data=True,
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
    AccessRow(
        "casework:my-families", frozenset({R.PRACTITIONER, R.TEAM_MANAGER}), personal_data=True
    ),
    AccessRow(
        "casework:family",
        NO_ROLE,
        kwargs=lambda seeded: {"family_public_id": "F-ACCESS01"},
        personal_data=True,
    ),
]
# Casework workspace (issue 13). Work lists for caseworkers; caseload and handover for managers.
# Every page about one family checks need to know first, so the access-test users (who have
# no relationship) are refused everywhere. Opening or reopening a case needs a route in the
# policy accepts (a relationship, emergency access, or triage of a family on the triage queue
# under an agreement listing triage): without one it is refused (403) with the next steps,
# audited. The triage queue itself opens for team managers: without the triage purpose it
# shows counts and queue places, never who. casework/tests/seed.py seeds F-ACCESS01's case.
_CASEWORK = frozenset({R.PRACTITIONER, R.TEAM_MANAGER})
_FAMILY = {"family_public_id": "F-ACCESS01"}


def _cw(name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """URL kwargs for one seeded casework record: the family plus the record's id."""
    return lambda s: {**_FAMILY, f"{name}_id": s["casework"][name].pk}


EXPECTED += [
    AccessRow("casework:my-tasks", _CASEWORK, personal_data=True),
    AccessRow(
        "casework:search",
        _CASEWORK,
        query=lambda s: {"family_id": "F-ACCESS01"},  # names typed in would echo back
        personal_data=True,
    ),
    AccessRow("casework:caseload", frozenset({R.TEAM_MANAGER}), personal_data=True),
    AccessRow("casework:handover", frozenset({R.TEAM_MANAGER})),
    AccessRow("casework:case-open", NO_ROLE, kwargs=lambda s: _FAMILY, personal_data=True),
    AccessRow("casework:case-reopen", NO_ROLE, kwargs=lambda s: _FAMILY, personal_data=True),
    AccessRow("casework:triage", frozenset({R.TEAM_MANAGER}), personal_data=True),
]
EXPECTED += [
    AccessRow(name, NO_ROLE, kwargs=lambda s: _FAMILY, personal_data=True)
    for name in (
        "casework:family-summary",
        "casework:case-close",
        "casework:team-add",
        "casework:lead-change",
        "casework:note-new",
        "casework:transfer-new",
        "casework:assessment",
        "casework:assessment-complete",
        "casework:plan",
        "casework:action-new",
        "casework:review-new",
    )
]
EXPECTED += [
    AccessRow("casework:note-amend", NO_ROLE, kwargs=_cw("note"), personal_data=True),
    AccessRow("casework:action-edit", NO_ROLE, kwargs=_cw("action"), personal_data=True),
    AccessRow("casework:transfer-respond", NO_ROLE, kwargs=_cw("transfer"), personal_data=True),
    AccessRow(
        "casework:team-leave", NO_ROLE, kwargs=_cw("member"), method="post", personal_data=True
    ),
    AccessRow(
        "casework:transfer-withdraw",
        NO_ROLE,
        kwargs=_cw("transfer"),
        method="post",
        personal_data=True,
    ),
    AccessRow(
        "casework:assessment-start",
        NO_ROLE,
        kwargs=lambda s: _FAMILY,
        method="post",
        personal_data=True,
    ),
    AccessRow(
        "casework:assessment-sign-off",
        NO_ROLE,
        kwargs=lambda s: _FAMILY,
        method="post",
        personal_data=True,
    ),
    # The plans API: its description is public; a plan needs need to know (JSON 403 otherwise).
    AccessRow("casework-api:openapi", PUBLIC),
    AccessRow("casework-api:plan", NO_ROLE, kwargs=lambda s: _FAMILY, personal_data=True),
    AccessRow(
        "casework-api:action", NO_ROLE, kwargs=_cw("action"), method="post", personal_data=True
    ),
]
EXPECTED += [
    AccessRow("needs:targeting", frozenset({R.TEAM_MANAGER, R.DATA_ANALYST}), personal_data=True),
    AccessRow(
        "needs:targeting-export",
        frozenset({R.TEAM_MANAGER, R.DATA_ANALYST}),
        kwargs=lambda seeded: {"fmt": "csv"},
        ok_statuses=frozenset({200, 302}),  # 302: refused by the sharing gate, back to the report
        personal_data=True,
    ),
    AccessRow("needs:at-risk", frozenset({R.PRACTITIONER, R.TEAM_MANAGER}), personal_data=True),
    AccessRow("needs:indicators", ALL_ROLES),
]
# Directory (issue 7): the public ORUK 3.0 API needs no sign-in; the directory is open to every
# role; the partnership map's analysis to the roles that coordinate; feeds to admins and analysts.
_DIRECTORY_MAP = frozenset({R.PRACTITIONER, R.TEAM_MANAGER, R.DATA_ANALYST, R.ADMINISTRATOR})
_DIRECTORY_FEED = frozenset({R.ADMINISTRATOR, R.DATA_ANALYST})
EXPECTED += [
    AccessRow("oruk:api-details", PUBLIC),
    AccessRow("oruk:openapi", PUBLIC),
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
    AccessRow("directory:gaps", _DIRECTORY_MAP, personal_data=True),
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
    # The agreement editor's task pages and its check page (302 back to the task list until
    # every task is completed).
    AccessRow("sharing:agreement-new-task", _SHARING_IG, lambda s: {"task": "details"}),
    AccessRow("sharing:agreement-new-check", _SHARING_IG, ok_statuses=frozenset({302})),
    AccessRow(
        "sharing:agreement-edit-task",
        _SHARING_IG,
        lambda s: {"pk": s["sharing"]["draft"].pk, "task": "details"},
    ),
    AccessRow(
        "sharing:agreement-edit-check",
        _SHARING_IG,
        lambda s: {"pk": s["sharing"]["draft"].pk},
        ok_statuses=frozenset({200, 302}),
    ),
    AccessRow("sharing:consents", _SHARING_CASEWORK | _SHARING_IG, personal_data=True),
    AccessRow("sharing:consent-new", _SHARING_CASEWORK | _SHARING_IG),
    AccessRow("sharing:break-glass-new", _SHARING_CASEWORK),
    AccessRow("sharing:governance", _SHARING_IG),
    AccessRow("sharing:break-glass-queue", _SHARING_IG),
    AccessRow(
        "sharing:break-glass-review", _SHARING_IG, lambda s: {"pk": s["sharing"]["grant"].pk}
    ),
    AccessRow("sharing:audit-log", _SHARING_IG),
    AccessRow("sharing:upload-delegations", _SHARING_IG),
    AccessRow("sharing:report-denied", _SHARING_IG),
    AccessRow("sharing:report-break-glass", _SHARING_IG),
    AccessRow(
        "sharing:subject-access",
        _SHARING_IG,
        query=lambda s: {"surname": s["personal"]["surname"], "dob": s["personal"]["dob"]},
        personal_data=True,
    ),
    AccessRow(
        "sharing:subject-access-open",
        _SHARING_IG,
        method="post",
        ok_statuses=frozenset({302}),  # an empty form goes back to the search with an error
    ),
    # A request belongs to the agency answering it: other agencies' IG officers get 404.
    AccessRow(
        "sharing:subject-access-request",
        _SHARING_IG,
        lambda s: {"pk": s["sharing"]["subject_access"].pk},
        ok_statuses=frozenset({404}),
        personal_data=True,
    ),
    AccessRow(
        "sharing:subject-access-response",
        _SHARING_IG,
        lambda s: {"pk": s["sharing"]["subject_access"].pk},
        ok_statuses=frozenset({404}),
        personal_data=True,
    ),
]
EXPECTED += [
    AccessRow("matching:queue", frozenset({R.DATA_ANALYST})),
    AccessRow(
        "matching:pair",
        frozenset({R.DATA_ANALYST}),
        lambda s: {"pk": s["matching_pair"].pk},
        personal_data=True,
    ),
    AccessRow(
        "matching:person",
        frozenset({R.DATA_ANALYST}),
        lambda s: {"public_id": s["matching_person"].public_id},
        personal_data=True,
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
    # "Link now" queues a linkage job and redirects to its progress page.
    AccessRow(
        "matching:link-now",
        frozenset({R.DATA_ANALYST}),
        method="post",
        ok_statuses=frozenset({302}),
    ),
]

# --- referrals (wraparound.referrals) and notifications ---------------------------------------
# A referral opens only to its two agencies' practitioners and managers: the seeded one is
# between agencies no access-test user belongs to, so its page, its actions and its API are
# refused to every role (403). Check-your-answers with nothing to check goes back to the form.
_REFERRING = frozenset({R.PRACTITIONER, R.TEAM_MANAGER})
_REFERRAL = lambda s: {"reference": s["referral"].reference}  # noqa: E731
EXPECTED += [
    AccessRow("referrals:mine", _REFERRING, personal_data=True),
    AccessRow("referrals:front-door", _REFERRING, personal_data=True),
    # With a family named, the form offers services fitting what the family page shows.
    AccessRow(
        "referrals:new",
        _REFERRING,
        query=lambda s: {"family": "F-ACCESS01"},
        personal_data=True,
    ),
    AccessRow("referrals:check", _REFERRING, ok_statuses=frozenset({302})),
    AccessRow("referrals:detail", NO_ROLE, _REFERRAL, personal_data=True),
    AccessRow(
        "referrals:act",
        NO_ROLE,
        lambda s: {"reference": s["referral"].reference, "action": "accept"},
        method="post",
    ),
    AccessRow("referrals-api:referrals", _REFERRING, personal_data=True),
    AccessRow("referrals-api:openapi", PUBLIC),
    AccessRow("referrals-api:referral", NO_ROLE, _REFERRAL, personal_data=True),
    AccessRow("referrals-api:transition", NO_ROLE, _REFERRAL, method="post"),
    # Notifications are every signed-in person's own: someone else's is not found (404).
    AccessRow("notifications:list", ALL_ROLES),
    AccessRow(
        "notifications:open",
        ALL_ROLES,
        lambda s: {"pk": s["notification"].pk},
        method="post",
        ok_statuses=frozenset({404}),
    ),
    AccessRow("notifications:read-all", ALL_ROLES, method="post", ok_statuses=frozenset({302})),
]

# Progress and outcomes (issue 16). Family pages and baseline actions need a relationship
# (the access-test users have none: refused, or 404 for a baseline that does not exist);
# team managers validate and submit claims (submitting checks the answers first); the
# internal-audit sample, its spot checks and evidence packs are internal auditors' only
# (separation of duties: team managers make claims but do not audit them); aggregates are
# refused by the gate without an agreement (302 back). ALL_ROLES rows above include the
# auditor: home, sign-out, jobs, notifications, the directory, training and agreements.
_CASEWORK = frozenset({R.PRACTITIONER, R.TEAM_MANAGER})
_NOT_A_BASELINE = frozenset({404})
_REFUSED_BY_THE_GATE = frozenset({403})
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
    # POST-only; no claim named: a 404 (nothing is read).
    AccessRow(
        "outcomes:validate-claim",
        frozenset({R.TEAM_MANAGER}),
        method="post",
        ok_statuses=_NOT_A_BASELINE,
    ),
    AccessRow("outcomes:submit-return", frozenset({R.TEAM_MANAGER})),
    # Nothing chosen yet: back to the first step (302).
    AccessRow("outcomes:check-return", frozenset({R.TEAM_MANAGER}), ok_statuses=frozenset({302})),
    # The sample names families: its listing is audited (one entry) for every role.
    AccessRow("outcomes:audit-home", frozenset({R.AUDITOR}), personal_data=True),
    AccessRow(
        "outcomes:draw-sample",
        frozenset({R.AUDITOR}),
        method="post",
        ok_statuses=frozenset({302}),  # nothing validated to sample: back with the reason
    ),
    # Only claims in the sample open: any other id is a 404 (nothing is read).
    AccessRow(
        "outcomes:audit",
        frozenset({R.AUDITOR}),
        lambda s: {"pk": 999999},
        ok_statuses=_NOT_A_BASELINE,
    ),
    # The spot check's "check your answers": only a sampled claim opens (else 404).
    AccessRow(
        "outcomes:audit-check",
        frozenset({R.AUDITOR}),
        lambda s: {"pk": 999999},
        ok_statuses=_NOT_A_BASELINE,
    ),
    # The seeded claim and baseline (outcomes/tests/seed.py): the role may open these pages,
    # but the access-test users have no agreement and no relationship, so the sharing gate
    # refuses them (403, audited) before anything of the pack or the family shows.
    AccessRow(
        "outcomes:audit",
        frozenset({R.AUDITOR}),
        lambda s: {"pk": s["outcomes_claim"].pk},
        ok_statuses=_REFUSED_BY_THE_GATE,
        personal_data=True,
    ),
    AccessRow(
        "outcomes:audit-check",
        frozenset({R.AUDITOR}),
        lambda s: {"pk": s["outcomes_claim"].pk},
        ok_statuses=_REFUSED_BY_THE_GATE,
        personal_data=True,
    ),
    # GET: the manager's "check the claim before validating it" page.
    AccessRow(
        "outcomes:validate-claim",
        frozenset({R.TEAM_MANAGER}),
        query=lambda s: {"claim": s["outcomes_claim"].pk},
        ok_statuses=_REFUSED_BY_THE_GATE,
        personal_data=True,
    ),
    # GET: "check your answers before making the claim".
    AccessRow(
        "outcomes:make-claim",
        _CASEWORK,
        lambda s: {"pk": s["outcomes_baseline"].pk},
        ok_statuses=_REFUSED_BY_THE_GATE,
        personal_data=True,
    ),
    AccessRow(
        "outcomes:return",
        frozenset({R.TEAM_MANAGER, R.DATA_ANALYST, R.AUDITOR}),
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


def _evaluation_plan(seeded: dict[str, Any]) -> dict[str, Any]:
    from wraparound.evaluation.tests.seed import access_plan

    return {"pk": access_plan().pk}


# Evaluation (issue 17): commissioners (team managers) and data analysts read aggregate
# results; only analysts write and lock plans. Results pages refuse inside the page (the
# sharing gate) without an agreement listing service evaluation.
EXPECTED += [
    AccessRow("evaluation:plans", frozenset({R.TEAM_MANAGER, R.DATA_ANALYST})),
    AccessRow("evaluation:plan-new", frozenset({R.DATA_ANALYST})),
    AccessRow(
        "evaluation:plan", frozenset({R.TEAM_MANAGER, R.DATA_ANALYST}), kwargs=_evaluation_plan
    ),
    AccessRow(
        "evaluation:plan-lock",
        frozenset({R.DATA_ANALYST}),
        kwargs=_evaluation_plan,  # its "Check your answers" page; the confirm POST locks
    ),
    AccessRow(
        "evaluation:plan-export",
        frozenset({R.TEAM_MANAGER, R.DATA_ANALYST}),
        kwargs=lambda seeded: {**_evaluation_plan(seeded), "fmt": "json"},
        ok_statuses=frozenset({200, 302}),  # 302: refused by the sharing gate, back to the page
    ),
]
