"""What one practitioner may see of one family: members, chronology, support and needs.

Everything personal on the family page is read here and passes through the sharing gate in
one call: the gate keeps what the agreements permit for the chosen purpose, says what was
withheld and why, and writes the audit entry. Views only render what this module returns.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from wraparound.casework import workspace as casework
from wraparound.casework.workspace import Workspace
from wraparound.core.models import Agency
from wraparound.records.models import ExtractStatus, SourceEvent, SourceRecord
from wraparound.records.vocabulary import kind_categories, kind_labels
from wraparound.sharing import gate
from wraparound.sharing.catalogues import category_label, primary_category_for_kind
from wraparound.sharing.gate import FamilyNotVisibleError, Withheld
from wraparound.sharing.models import AuditAction

IDENTITY = "identity"


@dataclass(frozen=True)
class Item:
    """One piece of personal data on the page, with the provider and category the gate needs."""

    agency_id: int
    category: str
    payload: Any


@dataclass(frozen=True)
class ChronologyLine:
    date: dt.date
    kind: str
    label: str
    category: str
    agency: str
    source: str
    detail: str
    person: str


@dataclass
class Member:
    person_public_id: str
    role: str
    name: str = ""
    dob: dt.date | None = None
    records: list[SourceRecord] = field(default_factory=list)


@dataclass(frozen=True)
class ChronologyFilter:
    agency: str = ""
    category: str = ""
    since: dt.date | None = None

    def keeps(self, line: ChronologyLine) -> bool:
        return (
            (not self.agency or line.source.split(":")[0] == self.agency)
            and (not self.category or line.category == self.category)
            and (self.since is None or line.date >= self.since)
        )


@dataclass
class FamilyPage:
    family_public_id: str
    purpose: str
    members: list[Member]
    chronology: list[ChronologyLine]
    chronology_total: int
    withheld: list[Withheld]
    need_to_know: str
    need_to_know_reason: str
    agencies_in_chronology: list[tuple[str, str]]
    categories_in_chronology: list[tuple[str, str]]
    needs: list[dict[str, Any]] = field(default_factory=list)
    needs_withheld: int = 0
    support: list[ChronologyLine] = field(default_factory=list)
    workspace: Workspace | None = None


def _members_and_records(family_public_id: str) -> tuple[list[Member], dict[str, str]]:
    """Members of the family (from the master index) and which record key belongs to whom."""
    from wraparound.casework.sources import family_members

    members, owner = [], {}
    for person_public_id, role, record_keys in family_members(family_public_id):
        members.append(Member(person_public_id=person_public_id, role=role))
        owner.update(dict.fromkeys(record_keys, person_public_id))
    return members, owner


def _event_category(kind: str, agency: Agency) -> str:
    return kind_categories().get(kind) or primary_category_for_kind(agency.kind)


def build_family_page(
    *,
    user: Any,
    family_public_id: str,
    purpose: str,
    request_id: str | None = None,
    chronology_filter: ChronologyFilter | None = None,
    action: str = AuditAction.VIEW,
) -> FamilyPage:
    """Everything the user may see of the family for ``purpose``; raises FamilyNotVisibleError."""
    members, owner = _members_and_records(family_public_id)
    records = list(
        SourceRecord.objects.filter(
            record_key__in=list(owner), extract__status=ExtractStatus.CURRENT
        ).select_related("extract__agency")
    )
    events = list(
        SourceEvent.objects.filter(record__in=records).select_related("extract__agency", "record")
    )
    case = casework.latest_case(family_public_id)
    case_items = casework.casework_items(case)
    items = (
        [Item(r.extract.agency_id, IDENTITY, r) for r in records]
        + [Item(e.extract.agency_id, _event_category(e.kind, e.extract.agency), e) for e in events]
        + [Item(i.agency_id, i.category, i) for i in case_items]
    )
    filtered = gate.read(
        user=user,
        family_public_id=family_public_id,
        purpose=purpose,
        items=items,
        request_id=request_id,
        action=action,
    )
    # One decision (and one audit entry per outcome) for the whole page. Without need to know
    # the gate has withheld everything and audited the refusal; the page is refused outright.
    decision = filtered.decision
    if not decision.has_need_to_know:
        raise FamilyNotVisibleError(decision.need_to_know_reason)
    by_person = {m.person_public_id: m for m in members}
    names: dict[str, str] = {}
    lines: list[ChronologyLine] = []
    case_visible: list[Any] = []
    for item in filtered.visible_items:
        if isinstance(item.payload, casework.Item):
            case_visible.append(item.payload.payload)
        elif isinstance(item.payload, SourceRecord):
            record = item.payload
            member = by_person[owner[record.record_key]]
            member.records.append(record)
            if not member.name and (record.first_name or record.surname):
                member.name = " ".join(p for p in (record.first_name, record.surname) if p)
                member.dob = record.dob
            names[record.record_key] = member.name
        else:
            lines.append(_line(item.payload, item.category))
    for line_index, line in enumerate(lines):
        lines[line_index] = _with_person(line, names)
    lines.sort(key=lambda line: line.date, reverse=True)
    chosen = chronology_filter or ChronologyFilter()
    visible_event_keys = {
        i.payload.event_key for i in filtered.visible_items if isinstance(i.payload, SourceEvent)
    }
    needs, needs_withheld = _needs_profile(family_public_id, visible_event_keys)
    return FamilyPage(
        family_public_id=family_public_id,
        purpose=purpose,
        members=members,
        chronology=[line for line in lines if chosen.keeps(line)],
        chronology_total=len(lines),
        withheld=filtered.withheld,
        need_to_know=decision.need_to_know,
        need_to_know_reason=decision.need_to_know_reason,
        agencies_in_chronology=sorted({(ln.source.split(":")[0], ln.agency) for ln in lines}),
        categories_in_chronology=sorted(
            {(ln.category, category_label(ln.category)) for ln in lines}
        ),
        needs=needs,
        needs_withheld=needs_withheld,
        support=[line for line in lines if line.kind in _support_kinds()][:10],
        workspace=casework.build_workspace(
            user=user,
            case=case,
            visible=case_visible,
            withheld=[i for i in case_items if i.payload not in case_visible],
        ),
    )


def _line(event: SourceEvent, category: str) -> ChronologyLine:
    return ChronologyLine(
        date=event.event_date,
        kind=event.kind,
        label=kind_labels().get(event.kind, event.kind),
        category=category,
        agency=event.extract.agency.name,
        source=f"{event.extract.agency.slug}:{event.extract.dataset_kind}",
        detail=event.detail or event.agency_label or "",
        person=event.record.record_key if event.record else "",
    )


def _with_person(line: ChronologyLine, names: dict[str, str]) -> ChronologyLine:
    from dataclasses import replace

    return replace(line, person=names.get(line.person, "a family member" if line.person else ""))


@cache
def _support_kinds() -> frozenset[str]:
    from wraparound.needs.indicators import load_catalogue

    support = load_catalogue().support
    return frozenset(support.statutory_kinds) | frozenset(support.early_help_kinds)


def _needs_profile(
    family_public_id: str, visible_event_keys: set[str]
) -> tuple[list[dict[str, Any]], int]:
    """Need flags all of whose evidence the user can see; others are counted as withheld.

    A flag is derived from other agencies' events, so showing a flag whose evidence the user
    may not see would disclose that evidence indirectly.
    """
    from wraparound.casework.sources import latest_flags_for_family

    shown, withheld = [], 0
    by_outcome: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for flag in latest_flags_for_family(family_public_id):
        evidence = flag["evidence"]
        # Its level was computed from all of its evidence: shown on part of it, the flag
        # (and the outcome's level) would disclose the part the user may not see.
        if not evidence or any(e["event_key"] not in visible_event_keys for e in evidence):
            withheld += 1
            continue
        by_outcome[flag["outcome"]].append(flag)
    for outcome, flags in sorted(by_outcome.items()):
        shown.append({"outcome": outcome, "flags": flags, "level": max(f["level"] for f in flags)})
    return shown, withheld


__all__ = ["ChronologyFilter", "FamilyNotVisibleError", "FamilyPage", "build_family_page"]
