"""Raw reads of other capabilities' tables that the family page needs.

Nothing here is shown to a user directly: `family_page` passes what these return through the
sharing gate. Keeping the raw reads in one small module makes that easy to check.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from wraparound.needs.indicators import load_catalogue, load_outcome_labels
from wraparound.needs.models import NeedFlag
from wraparound.needs.reports import latest_run


def family_members(family_public_id: str) -> list[tuple[str, str, list[str]]]:
    """(person public id, role in family, record keys) for each current member."""
    from wraparound.matching.models import FamilyMembership, PersonRecordLink

    memberships = list(
        FamilyMembership.objects.filter(family__public_id=family_public_id)
        .select_related("person")
        .order_by("person__public_id")
    )
    person_ids = [m.person_id for m in memberships]
    keys: dict[int, list[str]] = {pid: [] for pid in person_ids}
    for person_id, record_key in PersonRecordLink.objects.filter(
        person_id__in=person_ids
    ).values_list("person_id", "record_key"):
        keys[person_id].append(record_key)
    return [(m.person.public_id, m.role, keys[m.person_id]) for m in memberships]


def identity_records(family_public_ids: list[str]) -> dict[str, list[tuple[str, str, Any]]]:
    """(person public id, role, current agency record) for each member, per family.

    For the triage queue, which shows them only through gate.read for the triage purpose.
    """
    from wraparound.matching.models import FamilyMembership, PersonRecordLink
    from wraparound.records.models import ExtractStatus, SourceRecord

    memberships = list(
        FamilyMembership.objects.filter(family__public_id__in=family_public_ids).values_list(
            "family__public_id", "person_id", "person__public_id", "role"
        )
    )
    links = PersonRecordLink.objects.filter(person_id__in=[m[1] for m in memberships])
    keys_of: dict[int, list[str]] = {}
    for person_id, record_key in links.values_list("person_id", "record_key"):
        keys_of.setdefault(person_id, []).append(record_key)
    records = {
        r.record_key: r
        for r in SourceRecord.objects.filter(
            record_key__in=[k for keys in keys_of.values() for k in keys],
            extract__status=ExtractStatus.CURRENT,
        ).select_related("extract")
    }
    found: dict[str, list[tuple[str, str, Any]]] = {}
    for family, person_id, person, role in memberships:
        for key in sorted(keys_of.get(person_id, [])):
            if key in records:
                found.setdefault(family, []).append((person, role, records[key]))
    return found


def latest_flags_for_family(family_public_id: str) -> list[dict[str, Any]]:
    """The family's need flags from the latest finished needs run, explained."""
    run = latest_run()
    if run is None:
        return []
    explanations = {i.key: i.explanation for i in load_catalogue().indicators}
    outcome_labels = load_outcome_labels()
    flags = []
    for flag in NeedFlag.objects.filter(run=run, family_public_id=family_public_id):
        flags.append(
            {
                "outcome": flag.outcome,
                "outcome_label": outcome_labels.get(flag.outcome, flag.outcome),
                "indicator_key": flag.indicator_key,
                # An indicator since retired from the catalogue still explains itself by key.
                "explanation": explanations.get(
                    flag.indicator_key, f"Indicator {flag.indicator_key} (no longer in use)."
                ),
                "level": flag.level,
                "evidence": flag.evidence,
            }
        )
    return flags


def family_exists(family_public_id: str) -> bool:
    """Whether the master index knows this family (a write must not invent one)."""
    from wraparound.matching.models import Family

    return Family.objects.filter(public_id=family_public_id).exists()


def children_per_family(family_public_ids: list[str]) -> dict[str, int]:
    """How many children each family has in the master index (a count for caseloads)."""
    from django.db.models import Count

    from wraparound.matching.models import FamilyMembership

    rows = (
        FamilyMembership.objects.filter(family__public_id__in=family_public_ids, role="child")
        .values("family__public_id")
        .annotate(n=Count("pk"))
    )
    return {row["family__public_id"]: row["n"] for row in rows}


def families_matching(
    *, name: str, dob: Any, postcode: str, family_id: str, limit: int = 50
) -> dict[str, int]:
    """Family public id -> how many of its people match every criterion given.

    Only ids and counts leave this function: the search page passes them through the policy.
    """
    from wraparound.casework.selectors import name_query
    from wraparound.matching.models import Family, FamilyMembership, PersonRecordLink
    from wraparound.records.models import ExtractStatus, SourceRecord

    if family_id and not (name or dob or postcode):
        found = Family.objects.filter(public_id__iexact=family_id).values_list(
            "public_id", flat=True
        )
        return dict.fromkeys(found, 0)
    records = SourceRecord.objects.filter(extract__status=ExtractStatus.CURRENT)
    if name:
        records = records.filter(name_query(name))
    if dob:
        records = records.filter(dob=dob)
    if postcode:
        compact = postcode.replace(" ", "").upper()
        records = records.filter(
            postcode__iregex=r"^\s*" + r"\s*".join(re.escape(c) for c in compact) + r"\s*$"
        )
    keys = list(records.values_list("record_key", flat=True)[: limit * 10])
    people = set(
        PersonRecordLink.objects.filter(record_key__in=keys).values_list("person_id", flat=True)
    )
    memberships = FamilyMembership.objects.filter(person_id__in=people)
    if family_id:
        memberships = memberships.filter(family__public_id__iexact=family_id)
    counts: dict[str, int] = {}
    for fid in memberships.values_list("family__public_id", flat=True):
        counts[fid] = counts.get(fid, 0) + 1
    return dict(sorted(counts.items())[:limit])


# --- work lists (tasks, caseload): raw records that the selectors pass through gate.read -----

CASEWORK_CATEGORY = "early_help"  # the plan and the assessment are early help records


@dataclass(frozen=True)
class WorkItem:
    """A dated piece of casework as the gate sees it: the agency holding it and its category."""

    agency_id: int
    category: str
    kind: str  # action | review | assessment
    family_public_id: str
    due_on: dt.date
    person_id: int | None  # the owner (action) or the lead (review, assessment)
    payload: Any


def _open_actions(families: set[str], **match: Any) -> list[WorkItem]:
    """Open actions of open cases in these families (``match`` narrows: owner, due date)."""
    from wraparound.casework.models import CaseStatus, PlanAction
    from wraparound.casework.plan_models import OPEN_ACTION_STATUSES

    actions = PlanAction.objects.filter(
        status__in=OPEN_ACTION_STATUSES,
        plan__case__status=CaseStatus.OPEN,
        plan__case__family_public_id__in=families,
        **match,
    ).select_related("plan__case")
    return [
        WorkItem(a.plan.agency_id, CASEWORK_CATEGORY, "action", a.plan.case.family_public_id,
                 a.due_on, a.owner_id, a)
        for a in actions
    ]  # fmt: skip


def due_work(*, user: Any, families: set[str], until: dt.date) -> list[WorkItem]:
    """The user's own open actions due by ``until``; for cases they lead, the next review and
    a draft assessment due by then. Only in the families given (the policy's list)."""
    from wraparound.casework.models import (
        Assessment,
        AssessmentStatus,
        CaseStatus,
        FamilyCase,
        ReviewMeeting,
    )

    items = _open_actions(families, owner=user, due_on__lte=until)
    led = FamilyCase.objects.filter(
        lead=user, status=CaseStatus.OPEN, family_public_id__in=families
    )
    latest: dict[int, Any] = {}
    for review in ReviewMeeting.objects.filter(plan__case__in=led).select_related("plan__case"):
        known = latest.get(review.plan.case_id)
        if known is None or (review.held_on, review.pk) > (known.held_on, known.pk):
            latest[review.plan.case_id] = review
    items += [
        WorkItem(r.plan.agency_id, CASEWORK_CATEGORY, "review", r.plan.case.family_public_id,
                 r.next_review_on, user.pk, r)
        for r in latest.values()
        if r.next_review_on <= until
    ]  # fmt: skip
    drafts = Assessment.objects.filter(
        case__in=led, status=AssessmentStatus.DRAFT, due_on__lte=until
    ).select_related("case")
    items += [
        WorkItem(a.agency_id, CASEWORK_CATEGORY, "assessment", a.case.family_public_id,
                 a.due_on, user.pk, a)
        for a in drafts
    ]  # fmt: skip
    return items


def caseload_work(
    *, workers: list[int], families: set[str], today: dt.date
) -> tuple[list[tuple[str, int]], list[WorkItem]]:
    """Open cases the workers lead (family id, lead id), and their overdue work items."""
    from wraparound.casework.models import (
        Assessment,
        AssessmentStatus,
        CaseStatus,
        FamilyCase,
    )

    cases = FamilyCase.objects.filter(
        status=CaseStatus.OPEN, lead__in=workers, family_public_id__in=families
    )
    led = [(c.family_public_id, int(c.lead_id or 0)) for c in cases]
    items = _open_actions(families, owner__in=workers, due_on__lt=today)
    late = Assessment.objects.filter(
        case__in=cases, status=AssessmentStatus.DRAFT, due_on__lt=today
    ).select_related("case")
    items += [
        WorkItem(a.agency_id, CASEWORK_CATEGORY, "assessment", a.case.family_public_id,
                 a.due_on, a.case.lead_id, a)
        for a in late
    ]  # fmt: skip
    return led, items
