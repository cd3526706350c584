"""The triage queue: families the needs run found at risk and not supported, to allocate.

A team manager allocates a lead practitioner from here (``services.open_case``, whose route
in for a family nobody works with yet is the triage purpose). Who the families are is shown
only through the sharing gate for the ``triage`` purpose: the listing is one audited
``gate.list_families`` question, and each family shown is one audited ``gate.read`` of its
members' identity records and the evidence behind its needs, keeping only what the
agreement listing triage shares. Without that purpose (no agreement in force for the
manager's agency) the queue shows how many families wait and their place in it, never who
they are, and says what route in there is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from wraparound.casework.models import CaseStatus, FamilyCase
from wraparound.needs.reports import latest_run
from wraparound.needs.selectors import (
    TriageCandidate,
    VisibleFlag,
    agency_ids,
    awaiting_triage,
    evidence_items,
    flags_of_families,
    shown_flags,
)
from wraparound.sharing import gate
from wraparound.sharing.policy import TRIAGE, triage_basis

PAGE_SIZE = 20
IDENTITY = "identity"


@dataclass(frozen=True)
class Person:
    name: str
    role: str
    born: dt.date | None


@dataclass(frozen=True)
class _Record:
    """A member's identity record as the gate sees it (provider and category)."""

    agency_id: int
    category: str
    person_public_id: str
    role: str
    record: Any


@dataclass
class QueueRow:
    """One family waiting: identified (under triage) or only its place in the queue."""

    position: int
    outcome_count: int
    max_level: int
    family_public_id: str = ""
    locality: str = ""
    people: list[Person] = field(default_factory=list)
    flags: list[VisibleFlag] = field(default_factory=list)
    withheld: int = 0
    identities_withheld: int = 0


@dataclass
class TriageQueue:
    permitted: bool
    basis: str  # the agreement relied on, or why there is none
    waiting: int = 0
    allocated: int = 0
    rows: list[QueueRow] = field(default_factory=list)
    page: int = 1
    pages: int = 1
    reference_date: dt.date | None = None
    missing: str = ""

    @property
    def previous_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


def _waiting(run: Any) -> tuple[list[TriageCandidate], int]:
    """The run's candidates without an open case (allocated since the run), and how many had."""
    candidates = awaiting_triage(run)
    open_now = set(
        FamilyCase.objects.filter(
            status=CaseStatus.OPEN,
            family_public_id__in=[c.family_public_id for c in candidates],
        ).values_list("family_public_id", flat=True)
    )
    waiting = [c for c in candidates if c.family_public_id not in open_now]
    return waiting, len(candidates) - len(waiting)


def triage_queue(*, user: Any, page: int = 1, request_id: str | None = None) -> TriageQueue:
    """The queue as ``user`` may see it: identified under triage, otherwise counts only."""
    listed = gate.list_families(user=user, purpose=TRIAGE, request_id=request_id)  # audited
    agreement, basis = triage_basis(user)
    run = latest_run()
    if run is None:
        return TriageQueue(
            permitted=False,
            basis=basis,
            missing="No needs run has finished yet: nothing to triage.",
        )
    waiting, allocated = _waiting(run)
    pages = max(1, -(-len(waiting) // PAGE_SIZE))
    page = min(max(1, page), pages)
    start = (page - 1) * PAGE_SIZE
    chosen = waiting[start : start + PAGE_SIZE]
    queue = TriageQueue(
        permitted=agreement is not None and bool(listed),
        basis=basis,
        waiting=len(waiting),
        allocated=allocated,
        page=page,
        pages=pages,
        reference_date=run.reference_date,
    )
    if not queue.permitted:
        queue.rows = [
            QueueRow(start + n + 1, c.outcome_count, c.max_level) for n, c in enumerate(chosen)
        ]
        return queue
    identified = [c for c in chosen if c.family_public_id in listed]
    queue.rows = _identified_rows(user, run, identified, start, request_id)
    return queue


def _identified_rows(
    user: Any, run: Any, chosen: list[TriageCandidate], start: int, request_id: str | None
) -> list[QueueRow]:
    from wraparound.casework.sources import identity_records

    ids = [c.family_public_id for c in chosen]
    records = identity_records(ids)
    flags_of = flags_of_families(run, ids)
    agencies = agency_ids()
    rows = []
    for n, candidate in enumerate(chosen):
        fid = candidate.family_public_id
        flags = flags_of.get(fid, [])
        evidence = evidence_items(flags, agencies)
        identity = [
            _Record(r.extract.agency_id, IDENTITY, person, role, r)
            for person, role, r in records.get(fid, [])
        ]
        read = gate.read(
            user=user,
            family_public_id=fid,
            purpose=TRIAGE,
            items=[*identity, *evidence],
            request_id=request_id,
            note="Triage queue",
        )
        shown, withheld = shown_flags(flags, evidence, read.visible_items, agencies)
        people = _people([i for i in read.visible_items if isinstance(i, _Record)])
        named = {i.person_public_id for i in identity}
        rows.append(
            QueueRow(
                position=start + n + 1,
                # Counted from what may be shown, never from withheld evidence.
                outcome_count=len({f.outcome for f in shown}),
                max_level=max((f.level for f in shown), default=0),
                family_public_id=fid,
                locality=candidate.locality,
                people=people,
                flags=shown,
                withheld=withheld,
                identities_withheld=len(named) - len(people),
            )
        )
    return rows


def _people(records: list[_Record]) -> list[Person]:
    """One line per member whose identity record the gate let through (the first named one)."""
    seen: dict[str, Person] = {}
    for item in records:
        record = item.record
        name = " ".join(p for p in (record.first_name, record.surname) if p)
        if item.person_public_id not in seen and name:
            seen[item.person_public_id] = Person(name, item.role, record.dob)
    return sorted(seen.values(), key=lambda p: (p.role != "adult", p.name))
