"""Work lists and finding a family: reads computed from the data, limited by the policy.

Tasks, like Primero's, are derived, never stored: actions due or overdue, reviews due,
assessments running late. Every list is limited to the families the policy lets the reader
open (``gate.list_families``, which audits the listing), so a list never offers a family
its page would refuse.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from wraparound.casework.models import (
    Assessment,
    AssessmentStatus,
    CaseStatus,
    FamilyCase,
    PlanAction,
    ReviewMeeting,
)
from wraparound.casework.plan_models import OPEN_ACTION_STATUSES
from wraparound.core.models import Role, User
from wraparound.sharing import audit, gate
from wraparound.sharing.models import AuditAction, AuditOutcome
from wraparound.sharing.policy import visible_families

DUE_SOON_DAYS = 7
LIST_PURPOSE = "case_management"


@dataclass(frozen=True)
class Task:
    """One thing to do, for one family, by a date."""

    kind: str  # action | review | assessment
    family_public_id: str
    what: str
    due_on: dt.date
    overdue: bool
    url_name: str


def _open_actions_due(families: set[str], until: dt.date) -> Any:
    return PlanAction.objects.filter(
        status__in=OPEN_ACTION_STATUSES,
        due_on__lte=until,
        plan__case__status=CaseStatus.OPEN,
        plan__case__family_public_id__in=families,
    ).select_related("plan__case")


def _latest_reviews(case_ids: list[int]) -> dict[int, ReviewMeeting]:
    latest: dict[int, ReviewMeeting] = {}
    for review in ReviewMeeting.objects.filter(plan__case_id__in=case_ids).order_by(
        "held_on", "pk"
    ):
        latest[review.plan.case_id] = review
    return latest


def tasks_for(user: Any, *, request_id: str = "", today: dt.date | None = None) -> list[Task]:
    """The user's tasks: their own actions due soon or overdue; for cases they lead, reviews
    due and assessments running late. Listing is audited once."""
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    families = gate.list_families(user=user, purpose=LIST_PURPOSE, request_id=request_id)
    tasks = _own_actions(
        user, _open_actions_due(families, soon).filter(owner=user), today, request_id
    )
    led = list(
        FamilyCase.objects.filter(lead=user, status=CaseStatus.OPEN, family_public_id__in=families)
    )
    for case_id, review in _latest_reviews([c.pk for c in led]).items():
        if review.next_review_on <= soon:
            case = next(c for c in led if c.pk == case_id)
            tasks.append(
                Task(
                    "review",
                    case.family_public_id,
                    "Team around the family review due",
                    review.next_review_on,
                    review.next_review_on < today,
                    "casework:review-new",
                )
            )
    for assessment in Assessment.objects.filter(
        case__in=led, status=AssessmentStatus.DRAFT, due_on__lte=soon
    ).select_related("case"):
        tasks.append(
            Task(
                "assessment",
                assessment.case.family_public_id,
                "Early help assessment " + ("running late" if assessment.due_on < today else "due"),
                assessment.due_on,
                assessment.due_on < today,
                "casework:assessment",
            )
        )
    return sorted(tasks, key=lambda t: (not t.overdue, t.due_on, t.family_public_id))


def _own_actions(user: Any, actions: Any, today: dt.date, request_id: str) -> list[Task]:
    """The user's due actions, each description shown only if the gate lets them read the plan."""
    from wraparound.casework.workspace import CASEWORK_CATEGORY, Item

    by_family: dict[str, list[PlanAction]] = defaultdict(list)
    for action in actions.select_related("plan"):
        by_family[action.plan.case.family_public_id].append(action)
    tasks = []
    for family, owned in sorted(by_family.items()):
        filtered = gate.read(
            user=user,
            family_public_id=family,
            purpose=LIST_PURPOSE,
            items=[Item(a.plan.agency_id, CASEWORK_CATEGORY, a) for a in owned],
            request_id=request_id,
        )
        readable = {i.payload.pk for i in filtered.visible_items}
        tasks += [
            Task(
                "action",
                family,
                a.description if a.pk in readable else "An action you own (details withheld)",
                a.due_on,
                a.due_on < today,
                "casework:family",
            )
            for a in owned
        ]
    return tasks


@dataclass
class WorkerLoad:
    """One worker's caseload, as their manager sees it."""

    worker: Any
    families: list[str] = field(default_factory=list)
    children: int = 0
    overdue_actions: int = 0
    late_assessments: int = 0


def caseload(
    manager: Any, *, request_id: str = "", today: dt.date | None = None
) -> list[WorkerLoad]:
    """Families and children per worker of the manager's agency, with overdue items."""
    from wraparound.casework.sources import children_per_family

    today = today or timezone.localdate()
    families = gate.list_families(user=manager, purpose=LIST_PURPOSE, request_id=request_id)
    workers = User.objects.filter(
        agency_id=manager.agency_id, is_active=True, role__in=[Role.PRACTITIONER, Role.TEAM_MANAGER]
    ).order_by("last_name", "username")
    loads = {w.pk: WorkerLoad(w) for w in workers}
    cases = FamilyCase.objects.filter(
        status=CaseStatus.OPEN, lead__in=list(loads), family_public_id__in=families
    )
    children = children_per_family([c.family_public_id for c in cases])
    for case in cases:
        load = loads[case.lead_id]  # type: ignore[index]
        load.families.append(case.family_public_id)
        load.children += children.get(case.family_public_id, 0)
    overdue: dict[int, int] = defaultdict(int)
    for action in _open_actions_due(families, today - dt.timedelta(days=1)).filter(
        owner__in=list(loads)
    ):
        overdue[action.owner_id] += 1
    for pk, count in overdue.items():
        loads[pk].overdue_actions = count
    for assessment in Assessment.objects.filter(
        case__in=cases, status=AssessmentStatus.DRAFT, due_on__lt=today
    ).select_related("case"):
        loads[assessment.case.lead_id].late_assessments += 1  # type: ignore[index]
    return list(loads.values())


@dataclass(frozen=True)
class SearchResult:
    family_public_id: str
    may_open: bool
    matched_people: int


def find_families(
    *,
    user: Any,
    name: str = "",
    dob: dt.date | None = None,
    postcode: str = "",
    family_id: str = "",
    purpose: str = LIST_PURPOSE,
    request_id: str = "",
) -> list[SearchResult]:
    """Families with a matching member. Families the user may not open come back as bare
    "a matching record exists", with nothing about who or which agency (the page says so)."""
    from wraparound.casework.sources import families_matching

    found = families_matching(
        name=name.strip(), dob=dob, postcode=postcode.strip(), family_id=family_id.strip()
    )
    openable = visible_families(user, purpose)
    results = [SearchResult(fid, fid in openable, count) for fid, count in sorted(found.items())]
    audit.record_access(
        user=user,
        action=AuditAction.SEARCH,
        outcome=AuditOutcome.PERMIT if any(r.may_open for r in results) else AuditOutcome.DENY,
        purpose=purpose,
        reason=(
            f"Family search ({_criteria(name, dob, postcode, family_id)}): {len(results)} "
            f"matching, {sum(r.may_open for r in results)} the user may open"
        ),
        request_id=request_id,
    )
    return results


def _criteria(name: str, dob: dt.date | None, postcode: str, family_id: str) -> str:
    given = {
        "name": name,
        "date of birth": dob.isoformat() if dob else "",
        "postcode": postcode,
        "id": family_id,
    }
    return ", ".join(f"{k} {v}" for k, v in given.items() if v)


def name_query(name: str) -> Q:
    """Each word of the name must match a first name or surname (case-insensitive)."""
    query = Q()
    for word in name.split():
        query &= Q(first_name__iexact=word) | Q(surname__iexact=word)
    return query
