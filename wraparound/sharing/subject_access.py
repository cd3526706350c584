"""Subject access as IG officers work: find the person, each controller answers for its own.

Every item held about a person (agency records and events, consent decisions, relationships,
emergency access, the access log) is a ``SubjectItem`` with the agency that controls it and
its data category. The response passes through the gate for the ``subject_access`` purpose:
an IG officer's own agency's items are theirs to answer for; another agency's items appear
only under an agreement listing subject access (a coordinated partnership response). Other
apps that hold data about people add a provider with ``register(name, fn)``, where
``fn(person_public_id, family_public_ids) -> list[SubjectItem]``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from wraparound.core.models import Agency
from wraparound.records.vocabulary import kind_categories
from wraparound.sharing import audit, gate, subjects
from wraparound.sharing.catalogues import primary_category_for_kind
from wraparound.sharing.gate import Withheld
from wraparound.sharing.models import (
    AuditAction,
    AuditEntry,
    AuditOutcome,
    BreakGlassGrant,
    CareRelationship,
    ConsentRecord,
    SubjectAccessRequest,
)
from wraparound.sharing.readers import Reader

PURPOSE = "subject_access"


@dataclass(frozen=True)
class SubjectItem:
    """One thing held about the person, with the controller that answers for it."""

    ref: str
    agency_id: int
    category: str
    section: str
    columns: tuple[str, ...]
    values: tuple[str, ...]


SubjectProvider = Callable[[str, list[str]], list[SubjectItem]]
PROVIDERS: dict[str, SubjectProvider] = {}


def register(name: str, provider: SubjectProvider) -> None:
    """Add (or replace) a source of items for subject access responses."""
    PROVIDERS[name] = provider


def _when(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%-d %b %Y %H:%M")
    return value.isoformat()


def agency_records(person: str, families: list[str]) -> list[SubjectItem]:
    """The agency records linked to the person in the master index, and their events."""
    from wraparound.matching.models import PersonRecordLink
    from wraparound.records.models import SourceEvent, SourceRecord

    keys = list(
        PersonRecordLink.objects.filter(person__public_id=person).values_list(
            "record_key", flat=True
        )
    )
    records = SourceRecord.objects.filter(record_key__in=keys).select_related("extract__agency")
    items = [
        SubjectItem(
            f"record:{r.pk}",
            r.extract.agency_id,
            "identity",
            "Records",
            ("Dataset", "Agency's id", "Name", "Date of birth", "Postcode", "Extract"),
            (
                r.extract.dataset_kind,
                r.source_id,
                " ".join(p for p in (r.first_name, r.middle_names, r.surname) if p),
                _when(r.dob),
                r.postcode or "",
                f"{r.extract.file_name} ({r.extract.get_status_display()})",
            ),
        )
        for r in records.order_by("extract__agency__name", "source_id")
    ]
    events = SourceEvent.objects.filter(record__record_key__in=keys).select_related(
        "extract__agency"
    )
    categories = kind_categories()
    items += [
        SubjectItem(
            f"event:{e.pk}",
            e.extract.agency_id,
            categories.get(e.kind) or primary_category_for_kind(e.extract.agency.kind),
            "Events",
            ("Date", "Event", "Detail"),
            (_when(e.event_date), e.kind, e.detail or e.agency_label or ""),
        )
        for e in events.order_by("event_date", "pk")
    ]
    return items


def governance_records(person: str, families: list[str]) -> list[SubjectItem]:
    """Consent, relationships and emergency access, each answered for by the agency that made it."""
    consents = ConsentRecord.objects.filter(
        Q(person_public_id=person) | Q(family_public_id__in=families, person_public_id="")
    ).select_related("recorded_by", "agreement")
    items = [
        SubjectItem(
            f"consent:{c.pk}",
            c.recorded_by.agency_id or 0,
            "identity",
            "Consent decisions",
            ("Recorded", "Decision", "Given by", "Scope"),
            (
                _when(c.recorded_at),
                c.get_decision_display(),
                c.given_by,
                c.agreement.reference if c.agreement else "Every agreement needing consent",
            ),
        )
        for c in consents
    ]
    relationships = CareRelationship.objects.filter(family_public_id__in=families)
    items += [
        SubjectItem(
            f"relationship:{r.pk}",
            r.agency_id,
            "identity",
            "Workers with a relationship to the family",
            ("Family", "Relationship", "Held for", "From", "To"),
            (
                r.family_public_id,
                r.get_kind_display(),
                r.purpose,
                _when(r.started_at),
                _when(r.ended_at),
            ),
        )
        for r in relationships.select_related("agency")
    ]
    grants = BreakGlassGrant.objects.filter(family_public_id__in=families).select_related("user")
    items += [
        SubjectItem(
            f"grant:{g.pk}",
            g.user.agency_id or 0,
            "identity",
            "Emergency (break-glass) access",
            ("Family", "From", "Until", "Reason", "Review"),
            (
                g.family_public_id,
                _when(g.granted_at),
                _when(g.expires_at),
                g.reason,
                g.get_review_outcome_display() or "Awaiting review",
            ),
        )
        for g in grants
    ]
    return items


def access_log(person: str, families: list[str]) -> list[SubjectItem]:
    """Who looked at or changed the person's information (each agency answers for its staff)."""
    slugs = dict(Agency.objects.values_list("slug", "pk"))
    entries = AuditEntry.objects.filter(
        Q(person_public_id=person) | Q(family_public_id__in=families) | Q(reason__contains=person)
    ).order_by("-sequence")[:500]
    return [
        SubjectItem(
            f"audit:{e.sequence}",
            slugs.get(e.actor_agency, 0),
            "identity",
            "Who looked at or changed this information",
            ("When", "Role", "Action", "Outcome", "Purpose"),
            (
                _when(e.occurred_at),
                e.actor_role_label,
                e.get_action_display(),
                e.get_outcome_display(),
                e.purpose,
            ),
        )
        for e in entries
        if e.actor_agency in slugs
    ]


register("Agency records", agency_records)
register("Consent, relationships and emergency access", governance_records)
register("Access log", access_log)


# --- finding the person -----------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    person_public_id: str
    own_records: int


def find_people(
    *,
    user: Reader,
    surname: str,
    dob: dt.date,
    first_name: str = "",
    request_id: str | None = None,
) -> list[Candidate]:
    """People in the master index with a record of this surname and date of birth (audited).

    Only the person ids and how many records the officer's own agency holds are shown: which
    other agencies hold records is theirs to say. An empty list means *no such person*.
    """
    from wraparound.matching.models import PersonRecordLink
    from wraparound.records.models import SourceRecord

    found = SourceRecord.objects.filter(surname__iexact=surname.strip(), dob=dob)
    if first_name.strip():
        found = found.filter(first_name__iexact=first_name.strip())
    keys = dict(found.values_list("record_key", "extract__agency_id"))
    people: dict[str, int] = {}
    for key, person in PersonRecordLink.objects.filter(record_key__in=list(keys)).values_list(
        "record_key", "person__public_id"
    ):
        people[person] = people.get(person, 0) + (keys[key] == user.agency_id)
    audit.record_access(
        user=user,
        action=AuditAction.SEARCH,
        outcome=AuditOutcome.PERMIT,
        purpose=PURPOSE,
        reason=f"Subject access search by surname and date of birth: {len(people)} found",
        request_id=request_id,
    )
    return [Candidate(p, n) for p, n in sorted(people.items())]


# --- the response -----------------------------------------------------------------------------


@dataclass
class Section:
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[SubjectItem, str]] = field(default_factory=list)  # (item, redaction reason)


@dataclass
class AgencyResponse:
    agency: Agency
    own: bool
    sections: list[Section]

    @property
    def nothing_held(self) -> bool:
        return not any(s.rows for s in self.sections)


@dataclass
class Response:
    request: SubjectAccessRequest
    agencies: list[AgencyResponse]
    withheld: list[Withheld]


def compile_response(
    *,
    user: Reader,
    request: SubjectAccessRequest,
    action: str = AuditAction.VIEW,
    request_id: str | None = None,
) -> Response:
    """What the officer's agency answers (and, under an agreement, its partners), audited."""
    person = request.person_public_id
    families = subjects.families_of_person(person)
    items = [item for provider in PROVIDERS.values() for item in provider(person, families)]
    read = gate.read(
        user=user,
        family_public_id="",
        person_public_id=person,
        purpose=PURPOSE,
        items=items,
        action=action,
        note=f"Subject access {request.reference}",
        request_id=request_id,
    )
    redacted = dict(request.redactions.values_list("item_ref", "reason"))
    by_agency: dict[int, dict[str, Section]] = {user.agency_id or 0: {}}
    for item in read.visible_items:
        sections = by_agency.setdefault(item.agency_id, {})
        section = sections.setdefault(item.section, Section(item.section, item.columns))
        section.rows.append((item, redacted.get(item.ref, "")))
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=list(by_agency))}
    answers = [
        AgencyResponse(agencies[pk], pk == user.agency_id, list(sections.values()))
        for pk, sections in by_agency.items()
        if pk in agencies
    ]
    answers.sort(key=lambda a: (not a.own, a.agency.name))
    return Response(request, answers, read.withheld)
