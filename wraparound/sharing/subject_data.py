"""The subject access report's sources: each app registers what it holds about a person.

A provider is a function ``(person_public_id, family_public_ids) -> list[SubjectSection]``.
This app registers its own (consent, relationships, break-glass, who saw the person's data);
records and casework register theirs once they hold source records, e.g. in their AppConfig:

    from wraparound.sharing.subject_data import register
    register("Agency records", my_provider)

Families for a person come from ``family_resolvers`` (matching registers one that reads
family memberships); an IG officer may also name a family on the form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from wraparound.sharing.models import AuditEntry, BreakGlassGrant, CareRelationship, ConsentRecord


@dataclass
class SubjectSection:
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    note: str = ""


SubjectProvider = Callable[[str, list[str]], list[SubjectSection]]
FamilyResolver = Callable[[str], Iterable[str]]

PROVIDERS: dict[str, SubjectProvider] = {}
FAMILY_RESOLVERS: list[FamilyResolver] = []


def register(name: str, provider: SubjectProvider) -> None:
    """Add (or replace) a source of data for subject access reports."""
    PROVIDERS[name] = provider


def register_family_resolver(resolver: FamilyResolver) -> None:
    if resolver not in FAMILY_RESOLVERS:
        FAMILY_RESOLVERS.append(resolver)


def families_of(person_public_id: str, extra: Iterable[str] = ()) -> list[str]:
    found = [f for resolver in FAMILY_RESOLVERS for f in resolver(person_public_id)]
    return list(dict.fromkeys([*found, *[e for e in extra if e]]))


def _when(value: object) -> str:
    return timezone.localtime(value).strftime("%-d %b %Y %H:%M") if value else ""  # type: ignore[arg-type]


def governance_records(person: str, families: list[str]) -> list[SubjectSection]:
    consents = ConsentRecord.objects.filter(
        Q(person_public_id=person) | Q(family_public_id__in=families, person_public_id="")
    ).select_related("recorded_by", "agreement")
    relationships = CareRelationship.objects.filter(family_public_id__in=families).select_related(
        "user", "agency"
    )
    grants = BreakGlassGrant.objects.filter(family_public_id__in=families).select_related("user")
    return [
        SubjectSection(
            "Consent decisions",
            ["Recorded", "Decision", "Scope", "Recorded by"],
            [
                [
                    _when(c.recorded_at),
                    c.get_decision_display()
                    + (f" ({c.no_consent_condition})" if c.no_consent_condition else ""),
                    c.agreement.reference if c.agreement else "Every agreement needing consent",
                    str(c.recorded_by),
                ]
                for c in consents
            ],
        ),
        SubjectSection(
            "Workers and agencies with a relationship to the family",
            ["Family", "Relationship", "Worker", "Agency", "From", "To"],
            [
                [
                    r.family_public_id,
                    r.get_kind_display(),
                    str(r.user) if r.user else "(whole agency)",
                    r.agency.name,
                    _when(r.started_at),
                    _when(r.ended_at),
                ]
                for r in relationships
            ],
        ),
        SubjectSection(
            "Emergency (break-glass) access",
            ["Family", "By", "From", "Until", "Reason", "Review"],
            [
                [
                    g.family_public_id,
                    str(g.user),
                    _when(g.granted_at),
                    _when(g.expires_at),
                    g.reason,
                    g.get_review_outcome_display() or "Awaiting review",
                ]
                for g in grants
            ],
        ),
    ]


def who_saw(person: str, families: list[str]) -> list[SubjectSection]:
    entries = AuditEntry.objects.filter(
        Q(person_public_id=person) | Q(family_public_id__in=families)
    ).order_by("-sequence")[:500]
    return [
        SubjectSection(
            "Who looked at or changed this information",
            ["When", "Who", "Agency", "Action", "Outcome", "Data", "Purpose"],
            [
                [
                    _when(e.occurred_at),
                    e.actor_username,
                    e.actor_agency,
                    e.get_action_display(),
                    e.get_outcome_display(),
                    ", ".join(sorted({c.get("category", "") for c in e.categories})),
                    e.purpose,
                ]
                for e in entries
            ],
            note="The latest 500 entries; the audit log search shows every entry.",
        )
    ]


register("Consent, relationships and emergency access", governance_records)
register("Access log", who_saw)


def subject_report(person: str, extra_families: Iterable[str] = ()) -> list[SubjectSection]:
    families = families_of(person, extra_families)
    return [section for provider in PROVIDERS.values() for section in provider(person, families)]
