"""The casework part of the family page: the case, its team, assessment, plan and notes.

Reads are split in two so the family page makes ONE gate decision per view:
``casework_items`` gathers the family's casework records as gate items (each with the agency
that holds it and its category), ``build_workspace`` turns what the gate let through into
the workspace. Notes carry the category their author chose; the assessment, the plan and a
transfer pack are early help records of the agency that holds them. The case header (status,
lead, team, history) is coordination data shown to everyone the policy gives need to know.

``access_case`` is the access helper for writes: an audited need-to-know check, then the case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from wraparound.casework.catalogues import closure_reasons, outcome_areas
from wraparound.casework.models import (
    ActionStatus,
    Assessment,
    AssessmentStatus,
    CaseClosure,
    CaseHistory,
    CaseNote,
    CaseTransfer,
    FamilyCase,
    FamilyPlan,
    PlanAction,
    TeamMember,
    TransferStatus,
)
from wraparound.casework.plan_models import OPEN_ACTION_STATUSES
from wraparound.sharing import gate
from wraparound.sharing.gate import FamilyNotVisibleError

CASEWORK_CATEGORY = "early_help"


@dataclass(frozen=True)
class Item:
    """A casework record as the gate sees it: who holds it, what kind of information it is."""

    agency_id: int
    category: str
    payload: Any


@dataclass
class PlanView:
    plan: FamilyPlan
    actions: list[PlanAction]
    reviews: list[Any]
    needs_without_action: list[str]
    identified_needs: list[str]
    today: dt.date
    overdue: list[PlanAction] = field(init=False)
    rows: list[tuple[PlanAction, str, bool]] = field(init=False)
    missing_labels: list[str] = field(init=False)

    def __post_init__(self) -> None:
        labels = outcome_areas()
        self.overdue = [
            a for a in self.actions if a.status in OPEN_ACTION_STATUSES and a.due_on < self.today
        ]
        overdue_ids = {a.pk for a in self.overdue}
        # One row per action with what the template shows, computed once per page.
        self.rows = [
            (a, labels.get(a.outcome, a.outcome), a.pk in overdue_ids) for a in self.actions
        ]
        self.missing_labels = [labels.get(n, n) for n in self.needs_without_action]

    @property
    def complete(self) -> bool:
        return bool(self.identified_needs) and not self.needs_without_action

    @property
    def next_review_on(self) -> dt.date | None:
        return self.reviews[0].next_review_on if self.reviews else None


@dataclass
class Workspace:
    """What the reader may see of the family's casework, and what they may do."""

    case: FamilyCase | None
    members: list[TeamMember] = field(default_factory=list)
    history: list[CaseHistory] = field(default_factory=list)
    closures: list[CaseClosure] = field(default_factory=list)
    notes: list[CaseNote] = field(default_factory=list)
    notes_withheld: int = 0
    assessment: Assessment | None = None
    assessment_withheld: bool = False
    plan: PlanView | None = None
    plan_withheld: bool = False
    actions_withheld: int = 0
    transfer: CaseTransfer | None = None
    is_lead_or_manager: bool = False
    is_member: bool = False
    receives_transfer: bool = False

    @property
    def current_members(self) -> list[TeamMember]:
        return [m for m in self.members if m.is_current]

    @property
    def assessment_late(self) -> bool:
        a = self.assessment
        return bool(a and a.status == AssessmentStatus.DRAFT and timezone.localdate() > a.due_on)

    @property
    def closure_labels(self) -> dict[str, str]:
        return {code: r.label for code, r in closure_reasons().items()}

    @property
    def outcome_labels(self) -> dict[str, str]:
        return outcome_areas()


def latest_case(family_public_id: str) -> FamilyCase | None:
    """The open case, else the most recently opened one (closed cases still show history)."""
    cases = FamilyCase.objects.filter(family_public_id=family_public_id).select_related(
        "lead", "lead_agency"
    )
    return cases.filter(status="open").first() or cases.order_by("-opened_at").first()


def casework_items(case: FamilyCase | None) -> list[Item]:
    """The case's personal records as gate items (raw reads; nothing here is shown as is)."""
    if case is None:
        return []
    items: list[Item] = [
        Item(n.agency_id, n.category, n)
        for n in CaseNote.objects.filter(case=case)
        .select_related("author", "agency")
        .prefetch_related("amendments__author")
    ]
    assessment = Assessment.objects.filter(case=case).order_by("-started_on", "-pk").first()
    if assessment is not None:
        items.append(Item(assessment.agency_id, CASEWORK_CATEGORY, assessment))
    plan = FamilyPlan.objects.filter(case=case).first()
    if plan is not None:
        items.append(Item(plan.agency_id, CASEWORK_CATEGORY, plan))
        # Actions are part of the one shared plan, held by the plan's agency: a team member
        # reads (and so updates) them when an agreement shares that agency's early help records.
        items += [
            Item(plan.agency_id, CASEWORK_CATEGORY, a)
            for a in plan.actions.select_related("owner", "owner_agency")
        ]
    return items


def _plan_view(
    plan: FamilyPlan, actions: list[PlanAction], assessment: Assessment | None, plan_visible: bool
) -> PlanView:
    """The plan from its permitted parts: needs and reviews only when the plan itself is."""
    needs = (
        sorted(assessment.areas.filter(is_need=True).values_list("outcome", flat=True))
        if assessment is not None and plan_visible
        else []
    )
    covered = {a.outcome for a in actions if a.status != ActionStatus.DROPPED}
    return PlanView(
        plan=plan,
        actions=actions,
        reviews=list(plan.plan_reviews.all()) if plan_visible else [],
        needs_without_action=[n for n in needs if n not in covered],
        identified_needs=needs,
        today=timezone.localdate(),
    )


def build_workspace(
    *, user: Any, case: FamilyCase | None, visible: list[Any], withheld: list[Item]
) -> Workspace:
    """Assemble the workspace from what the gate let through (``visible`` payloads)."""
    from wraparound.casework import permissions as may

    if case is None:
        return Workspace(case=None)
    notes = [p for p in visible if isinstance(p, CaseNote)]
    assessment = next((p for p in visible if isinstance(p, Assessment)), None)
    plan = next((p for p in visible if isinstance(p, FamilyPlan)), None)
    actions = [p for p in visible if isinstance(p, PlanAction)]
    plan_visible = plan is not None
    if plan is None and actions:
        plan = actions[0].plan
    transfer = (
        case.transfers.filter(status=TransferStatus.PENDING).select_related("to_agency").first()
    )
    members = list(case.members.select_related("user", "agency"))
    return Workspace(
        case=case,
        members=members,
        history=list(case.history.select_related("by")[:50]),
        closures=list(case.closures.all()),
        notes=notes,
        notes_withheld=sum(1 for i in withheld if isinstance(i.payload, CaseNote)),
        assessment=assessment,
        assessment_withheld=any(isinstance(i.payload, Assessment) for i in withheld),
        plan=_plan_view(plan, actions, assessment, plan_visible) if plan is not None else None,
        plan_withheld=any(isinstance(i.payload, FamilyPlan) for i in withheld),
        actions_withheld=sum(1 for i in withheld if isinstance(i.payload, PlanAction)),
        transfer=transfer,
        is_lead_or_manager=case.lead_id == user.pk or may.manages(user, case.lead_agency_id),
        is_member=any(m.user_id == user.pk and m.is_current for m in members),
        receives_transfer=bool(transfer and may.manages(user, transfer.to_agency_id)),
    )


def assessment_areas(assessment: Assessment) -> list[Any]:
    """The areas of an assessment the gate has already let through."""
    return list(assessment.areas.all())


def plan_versions(plan: FamilyPlan) -> list[Any]:
    """Every version of a plan the gate has already let through, newest first."""
    return list(plan.plan_versions.select_related("recorded_by"))


def amendments(note: CaseNote) -> list[Any]:
    """The amendments of a note the gate has already let through (prefetched)."""
    return list(note.amendments.all())


def case_record(case: FamilyCase, model: type[Any], pk: int, **match: Any) -> Any:
    """One record of an opened case (a member, a note, a transfer, an action), or Http404.

    For writes after ``access_case``: the services check who may act; nothing is shown.
    """
    from django.http import Http404

    related = {TeamMember: "case", CaseNote: "case", CaseTransfer: "case", PlanAction: "plan__case"}
    found = model._default_manager.filter(pk=pk, **{related[model]: case}, **match).first()
    if found is None:
        raise Http404(f"No such {model._meta.verbose_name} in this family's case.")
    return found


def access_case(
    *, user: Any, family_public_id: str, purpose: str, request_id: str | None = None
) -> FamilyCase | None:
    """The family's case for a write, after an audited need-to-know check (raises if refused)."""
    gate.open_family(
        user=user, family_public_id=family_public_id, purpose=purpose, request_id=request_id
    )
    return latest_case(family_public_id)


def read_transfer_pack(
    *, user: Any, transfer: CaseTransfer, purpose: str, request_id: str | None = None
) -> dict[str, Any] | None:
    """The pack as the receiving team may see it: whole, or None when the policy withholds it."""
    holder = int(transfer.from_lead.agency_id or 0)
    filtered = gate.read(
        user=user,
        family_public_id=transfer.case.family_public_id,
        purpose=purpose,
        items=[Item(holder, CASEWORK_CATEGORY, transfer.pack)],
        request_id=request_id,
    )
    if not filtered.decision.has_need_to_know:
        raise FamilyNotVisibleError(filtered.decision.need_to_know_reason)
    return filtered.visible_items[0].payload if filtered.visible_items else None
