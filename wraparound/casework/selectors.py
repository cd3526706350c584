"""Work lists and finding a family: reads computed from the data, limited by the policy.

Tasks, like Primero's, are derived, never stored: actions due or overdue, reviews due,
assessments running late. Every list is limited to the families the policy lets the reader
open (``gate.list_families``, which audits the listing), and every dated item in it (an
action, a review date, an assessment's clock) is the holding agency's early help record, so
it is shown or counted only after ``gate.read`` for its family lets it through. The raw
reads are in ``sources``; this module reads no personal-data model itself (the policy-bypass
test holds it to that).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from wraparound.casework.sources import WorkItem
from wraparound.core.models import Role, User
from wraparound.sharing import audit, gate
from wraparound.sharing.models import AuditAction, AuditOutcome
from wraparound.sharing.policy import visible_families

DUE_SOON_DAYS = 7
LIST_PURPOSE = "case_management"
WHAT = {
    "action": "A plan action you own",
    "review": "Team around the family review due",
    "assessment": "Early help assessment",
}
URL_NAMES = {
    "action": "casework:family",
    "review": "casework:review-new",
    "assessment": "casework:assessment",
    "withheld": "casework:family",
}


@dataclass(frozen=True)
class Task:
    """One thing to do, for one family, by a date."""

    kind: str  # action | review | assessment | withheld
    family_public_id: str
    what: str
    due_on: dt.date
    overdue: bool
    url_name: str


def _through_the_gate(
    user: Any, items: Iterable[WorkItem], request_id: str
) -> tuple[list[WorkItem], dict[str, int]]:
    """Each family's work items passed through ``gate.read`` (one audited read per family):
    the permitted items, and how many were withheld per family."""
    by_family: dict[str, list[WorkItem]] = defaultdict(list)
    for item in items:
        by_family[item.family_public_id].append(item)
    visible: list[WorkItem] = []
    withheld: dict[str, int] = {}
    for family, found in sorted(by_family.items()):
        filtered = gate.read(
            user=user,
            family_public_id=family,
            purpose=LIST_PURPOSE,
            items=found,
            request_id=request_id or None,
        )
        visible += filtered.visible_items
        if len(filtered.visible_items) < len(found):
            withheld[family] = len(found) - len(filtered.visible_items)
    return visible, withheld


def _task(item: WorkItem, today: dt.date) -> Task:
    what = WHAT[item.kind]
    if item.kind == "action":
        what = item.payload.description
    elif item.kind == "assessment":
        what += " running late" if item.due_on < today else " due"
    return Task(
        item.kind,
        item.family_public_id,
        what,
        item.due_on,
        item.due_on < today,
        URL_NAMES[item.kind],
    )


def tasks_for(user: Any, *, request_id: str = "", today: dt.date | None = None) -> list[Task]:
    """The user's tasks: their own actions due soon or overdue; for cases they lead, reviews
    due and assessments running late. What the gate withholds is one line per family saying
    how many items are not shown, with no dates or details."""
    from wraparound.casework.sources import due_work

    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    families = gate.list_families(user=user, purpose=LIST_PURPOSE, request_id=request_id)
    visible, withheld = _through_the_gate(
        user, due_work(user=user, families=families, until=soon), request_id
    )
    tasks = [_task(item, today) for item in visible]
    tasks += [
        Task(
            "withheld",
            family,
            f"{count} item{'s' if count > 1 else ''} due for this family not shown: the agency "
            "holding the plan does not share it with yours",
            today,
            False,
            URL_NAMES["withheld"],
        )
        for family, count in withheld.items()
    ]
    return sorted(tasks, key=lambda t: (not t.overdue, t.due_on, t.family_public_id))


@dataclass
class WorkerLoad:
    """One worker's caseload, as their manager sees it."""

    worker: Any
    families: list[str] = field(default_factory=list)
    children: int = 0
    overdue_actions: int = 0
    late_assessments: int = 0
    withheld: int = 0


def caseload(
    manager: Any, *, request_id: str = "", today: dt.date | None = None
) -> list[WorkerLoad]:
    """Families and children per worker of the manager's agency, with overdue items counted
    only where the gate lets the manager read them."""
    from wraparound.casework.sources import caseload_work, children_per_family

    today = today or timezone.localdate()
    families = gate.list_families(user=manager, purpose=LIST_PURPOSE, request_id=request_id)
    workers = User.objects.filter(
        agency_id=manager.agency_id, is_active=True, role__in=[Role.PRACTITIONER, Role.TEAM_MANAGER]
    ).order_by("last_name", "username")
    loads = {w.pk: WorkerLoad(w) for w in workers}
    led, overdue = caseload_work(workers=list(loads), families=families, today=today)
    children = children_per_family([family for family, _ in led])
    for family, lead_id in led:
        loads[lead_id].families.append(family)
        loads[lead_id].children += children.get(family, 0)
    visible, withheld = _through_the_gate(manager, overdue, request_id)
    for item in visible:
        load = loads.get(item.person_id or 0)
        if load is None:
            continue
        if item.kind == "action":
            load.overdue_actions += 1
        else:
            load.late_assessments += 1
    lead_of = dict(led)
    for family, count in withheld.items():
        if lead_of.get(family) in loads:
            loads[lead_of[family]].withheld += count
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
