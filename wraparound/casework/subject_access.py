"""Casework and referrals in a subject access response: what was written about the family.

Registered with ``sharing.subject_access`` when the app loads. Each item names the agency
that controls it and its data category, exactly as the family page's gate items do, so the
response's gate read (purpose ``subject_access``) lets each agency's IG officer answer for
its own records only (a partner's only under an agreement listing subject access), and the
usual redaction of an item by its reference applies:

- case notes, each with its amendments (the author's agency, the note's category);
- the early help assessment and the family plan's actions and reviews (the holding agency's
  early help records);
- referrals (the sending agency's record, in its service category);
- team around the family memberships (each member's agency: who worked with the family).

Casework is about a family, so a person's request returns the casework of the families the
master index places them in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from wraparound.casework.catalogues import outcome_areas
from wraparound.casework.models import (
    Assessment,
    CaseNote,
    FamilyPlan,
    PlanAction,
    ReviewMeeting,
    TeamMember,
)
from wraparound.casework.workspace import CASEWORK_CATEGORY
from wraparound.sharing.catalogues import category_label, primary_category_for_kind
from wraparound.sharing.subject_access import SubjectItem, register


def _when(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%-d %b %Y %H:%M")
    return value.isoformat()


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.username) if user is not None else ""


def case_notes(person: str, families: list[str]) -> list[SubjectItem]:
    notes = (
        CaseNote.objects.filter(case__family_public_id__in=families)
        .select_related("author", "case")
        .prefetch_related("amendments__author")
        .order_by("occurred_on", "pk")
    )
    return [
        SubjectItem(
            f"casenote:{n.pk}",
            n.agency_id,
            n.category,
            "Case notes",
            ("Date", "Family", "Kind of information", "Written by", "Note", "Amendments"),
            (
                _when(n.occurred_on),
                n.case.family_public_id,
                category_label(n.category),
                _name(n.author),
                n.body,
                " | ".join(
                    f"{_when(a.recorded_at)} by {_name(a.author)} ({a.reason}): {a.body}"
                    for a in n.amendments.all()
                ),
            ),
        )
        for n in notes
    ]


def assessments(person: str, families: list[str]) -> list[SubjectItem]:
    labels = outcome_areas()
    found = (
        Assessment.objects.filter(case__family_public_id__in=families)
        .select_related("case", "author")
        .prefetch_related("areas")
        .order_by("started_on", "pk")
    )
    return [
        SubjectItem(
            f"assessment:{a.pk}",
            a.agency_id,
            CASEWORK_CATEGORY,
            "Early help assessments",
            ("Started", "Family", "Status", "Child's words", "Parents' words", "Areas"),
            (
                _when(a.started_on),
                a.case.family_public_id,
                a.get_status_display(),
                a.child_words,
                a.parents_words,
                " | ".join(
                    f"{labels.get(area.outcome, area.outcome)}: worried about {area.worries or '-'};"
                    f" working well {area.working_well or '-'}; needs to happen "
                    f"{area.needs_to_happen or '-'}"
                    for area in a.areas.all()
                ),
            ),
        )
        for a in found
    ]


def plans(person: str, families: list[str]) -> list[SubjectItem]:
    labels = outcome_areas()
    held_by = dict(
        FamilyPlan.objects.filter(case__family_public_id__in=families).values_list(
            "pk", "agency_id"
        )
    )
    actions = (
        PlanAction.objects.filter(plan_id__in=list(held_by))
        .select_related("plan__case", "owner", "owner_agency")
        .order_by("due_on", "pk")
    )
    items = [
        SubjectItem(
            f"planaction:{a.pk}",
            held_by[a.plan_id],
            CASEWORK_CATEGORY,
            "Family plan actions",
            ("Due", "Family", "Need", "Action", "Owner", "Status", "Progress"),
            (
                _when(a.due_on),
                a.plan.case.family_public_id,
                labels.get(a.outcome, a.outcome),
                a.description,
                f"{_name(a.owner)} ({a.owner_agency.name})",
                a.get_status_display(),
                a.progress_note,
            ),
        )
        for a in actions
    ]
    reviews = (
        ReviewMeeting.objects.filter(plan_id__in=list(held_by))
        .select_related("plan__case")
        .order_by("held_on", "pk")
    )
    items += [
        SubjectItem(
            f"review:{r.pk}",
            held_by[r.plan_id],
            CASEWORK_CATEGORY,
            "Team around the family reviews",
            ("Held", "Family", "Attendees", "Decisions", "Next review"),
            (
                _when(r.held_on),
                r.plan.case.family_public_id,
                r.attendees.replace("\n", "; "),
                r.decisions,
                _when(r.next_review_on),
            ),
        )
        for r in reviews
    ]
    return items


def team_memberships(person: str, families: list[str]) -> list[SubjectItem]:
    members = (
        TeamMember.objects.filter(case__family_public_id__in=families)
        .select_related("case", "user", "agency")
        .order_by("joined_on", "pk")
    )
    return [
        SubjectItem(
            f"tafmember:{m.pk}",
            m.agency_id,
            "identity",
            "Team around the family",
            ("Family", "Worker", "Agency", "Role", "Joined", "Left"),
            (
                m.case.family_public_id,
                _name(m.user),
                m.agency.name,
                m.role,
                _when(m.joined_on),
                _when(m.left_on),
            ),
        )
        for m in members
    ]


def referrals(person: str, families: list[str]) -> list[SubjectItem]:
    from wraparound.referrals.models import Referral

    found = (
        Referral.objects.filter(family_public_id__in=families)
        .exclude(reference__isnull=True)
        .select_related("from_agency", "to_agency", "sent_by")
        .order_by("created_at", "pk")
    )
    return [
        SubjectItem(
            f"referral:{r.pk}",
            r.from_agency_id,
            primary_category_for_kind(r.from_agency.kind),
            "Referrals",
            ("Sent", "Reference", "From", "To", "Reason", "State"),
            (
                _when(r.sent_at),
                r.reference or "",
                f"{_name(r.sent_by)} ({r.from_agency.name})",
                r.receiver_name,
                r.reason,
                r.get_state_display(),
            ),
        )
        for r in found
    ] + [
        SubjectItem(
            f"referral-decision:{r.pk}",
            r.to_agency_id,
            primary_category_for_kind(r.to_agency.kind),
            "Referral decisions",
            ("Decided", "Reference", "By", "State", "Information asked for", "Signpost"),
            (
                _when(r.decided_at),
                r.reference or "",
                r.to_agency.name,
                r.get_state_display(),
                r.information_request,
                r.signpost,
            ),
        )
        for r in found
        if r.decided_at or r.information_request
    ]


def register_providers() -> None:
    register("Case notes", case_notes)
    register("Early help assessments", assessments)
    register("Family plans", plans)
    register("Team around the family", team_memberships)
    register("Referrals", referrals)
