"""The one policy decision point: may this user see this data about this family, and why?

Rules, in the order they are applied (see docs/sharing.md):

1. The reader's rule, from the purpose's ``reader`` (purposes.yaml):
   - casework (safeguarding, early help coordination, case management): practitioners and
     team managers, with need to know (rule 2);
   - linkage review: data analysts comparing records to keep the master index right; no
     relationship, but only the fields an agreement for linkage review covers (rules 3-5);
   - subject access: IG officers; each controller answers for its own agency's records, and
     other agencies' only under an agreement listing subject access (a coordinated response);
   - triage: team managers allocating early help to a family the latest needs run found at
     risk and not supported; no relationship (nobody works with the family yet), but only
     under an agreement in force listing triage with the manager's agency as a party, only
     for families on that queue, and then only the categories that agreement shares;
   - claim assurance: internal auditors checking an outcome claim's frozen evidence; no
     relationship (the outcomes app opens only claims in the internal-audit sample, to an
     auditor who neither made nor validated them), and other agencies' records only under an
     agreement listing claim assurance (rules 3-5);
   - aggregate purposes never open a named family or person.
2. Need to know (casework): a current legitimate relationship with the family (allocated
   worker, team around the family, a referral to the user's agency; team managers also through
   any colleague's relationship) *held for the purpose asked or one that includes it*, or an
   unexpired break-glass grant covering the category. Asking for a wider purpose than the
   relationship's (safeguarding on an early help allocation) is refused until the relationship
   is widened on its own basis (``services.change_relationship_purpose``).
3. A user's own agency's records need nothing more.
4. Another agency's records need an agreement that is approved by every party for its current
   version, in date, not suspended or expired, lists the purpose, lists the user's agency as a
   party, and lists that category from that providing agency.
5. Where every such agreement requires consent, the latest consent record in scope decides:
   given, or a recorded no-consent condition the agreement allows, permits; refused or
   withdrawn (at once) or nothing recorded denies.

``decide`` answers for one family; ``visible_families`` answers which families a user may open
at all, from the same relationships and grants, so lists and detail pages agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from wraparound.core.models import Agency, Role
from wraparound.core.plain_words import listed
from wraparound.sharing import agreement_cache
from wraparound.sharing.catalogues import catalogues, category_label, purpose_label
from wraparound.sharing.models import (
    AgreementStatus,
    BreakGlassGrant,
    CareRelationship,
    ConsentDecision,
    ConsentRecord,
    SharingAgreement,
)
from wraparound.sharing.readers import Reader, agency_name

READING_ROLES = frozenset({Role.PRACTITIONER, Role.TEAM_MANAGER})
# Who each kind of reader is (purposes.yaml ``reader``), and what need to know it records.
READER_ROLES: dict[str, frozenset[str]] = {
    "casework": READING_ROLES,
    "linkage_review": frozenset({Role.DATA_ANALYST}),
    "subject_access": frozenset({Role.IG_OFFICER}),
    "claim_assurance": frozenset({Role.AUDITOR}),
    "aggregate": frozenset(),
    "triage": frozenset({Role.TEAM_MANAGER}),
}
TRIAGE = "triage"
ProviderRef = Agency | int


class PolicyError(Exception):
    """The question asked of the policy is malformed (unknown purpose or category)."""


@dataclass(frozen=True)
class CategoryDecision:
    """The answer for one category of data from one providing agency."""

    provider_id: int
    provider_slug: str
    provider_name: str
    category: str
    permitted: bool
    reason: str
    basis: str = ""  # own_agency | agreement
    agreement: str = ""  # "DSA-001 v2"
    consent_ref: str = ""
    no_consent_reason: str = ""

    @property
    def category_label(self) -> str:
        return category_label(self.category)

    def as_audit(self) -> dict[str, Any]:
        return {
            "provider": self.provider_slug,
            "category": self.category,
            "outcome": "permit" if self.permitted else "deny",
            "agreement": self.agreement,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Decision:
    """Per-category permit or deny for one user, one family (or person) and one purpose."""

    family_public_id: str
    person_public_id: str
    purpose: str
    need_to_know: str  # relationship kind, "break_glass", or "" when there is none
    need_to_know_reason: str
    break_glass_id: int | None
    items: tuple[CategoryDecision, ...] = field(default_factory=tuple)

    def permits(self, provider_id: int, category: str) -> bool:
        return any(
            i.permitted and i.provider_id == provider_id and i.category == category
            for i in self.items
        )

    @property
    def permitted(self) -> list[CategoryDecision]:
        return [i for i in self.items if i.permitted]

    @property
    def denied(self) -> list[CategoryDecision]:
        return [i for i in self.items if not i.permitted]

    @property
    def has_need_to_know(self) -> bool:
        return bool(self.need_to_know)


# --- need to know ---------------------------------------------------------------------------


def _relationships_query(user: Reader, now: dt.datetime) -> Q:
    """The relationships that give ``user`` need to know, active at ``now`` (any purpose)."""
    active = Q(started_at__lte=now) & (Q(ended_at__isnull=True) | Q(ended_at__gt=now))
    mine = Q(user_id=user.pk) | Q(user__isnull=True, agency_id=user.agency_id)
    if user.role == Role.TEAM_MANAGER:
        mine = mine | Q(agency_id=user.agency_id)
    return active & mine


def purposes_serving(asked: str) -> list[str]:
    """Relationship purposes that serve a request for ``asked`` (itself and any wider one)."""
    return [code for code, p in catalogues().purposes.items() if p.serves(asked)]


def relationships_of(
    user: Reader, family_public_id: str, now: dt.datetime | None = None
) -> QuerySet[CareRelationship]:
    """``user``'s current relationships with the family, whatever they are held for."""
    return CareRelationship.objects.filter(
        _relationships_query(user, now or timezone.now()), family_public_id=family_public_id
    )


def _reads_individuals(user: Reader, purpose: str = "early_help_coordination") -> bool:
    reader = catalogues().purposes[purpose].reader
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "agency_id", None)
        and getattr(user, "role", None) in READER_ROLES[reader]
    )


def reads_for(user: Reader, purpose: str) -> bool:
    """Does ``user``'s role read named families for ``purpose`` at all (before need to know)?

    For pages that list work for a reader whose scope is not a relationship (the internal
    audit sample), so the list asks the same role rule as ``decide``.
    """
    _check_purpose(purpose)
    if catalogues().purposes[purpose].reader == "aggregate":
        return False
    return _reads_individuals(user, purpose)


def visible_families(user: Reader, purpose: str, now: dt.datetime | None = None) -> set[str]:
    """Public ids of every family ``user`` may open for ``purpose`` (the list question)."""
    _check_purpose(purpose)
    reader = catalogues().purposes[purpose].reader
    if reader not in ("casework", TRIAGE) or not _reads_individuals(user, purpose):
        return set()
    now = now or timezone.now()
    if reader == TRIAGE:
        if triage_basis(user, purpose, now)[0] is None:
            return set()
        return _triage_queue()
    related = CareRelationship.objects.filter(
        _relationships_query(user, now), purpose__in=purposes_serving(purpose)
    )
    families = set(related.values_list("family_public_id", flat=True))
    grants = BreakGlassGrant.objects.filter(
        user_id=user.pk, granted_at__lte=now, expires_at__gt=now
    )
    return families | set(grants.values_list("family_public_id", flat=True))


def _check_purpose(purpose: str) -> None:
    if purpose not in catalogues().purposes:
        known = ", ".join(catalogues().purposes)
        raise PolicyError(f"Unknown purpose {purpose!r}: use one of {known}.")


# --- triage ---------------------------------------------------------------------------------


def triage_basis(
    user: Reader, purpose: str = TRIAGE, now: dt.datetime | None = None
) -> tuple[SharingAgreement | None, str]:
    """The agreement in force that lets the user's agency triage, or why there is none."""
    today = timezone.localdate(now or timezone.now())
    listing = _agreements_for(user.agency_id or 0, purpose)
    in_force = [a for a in listing if _in_force(a, today)]
    if in_force:
        chosen = in_force[0]
        return chosen, f"{chosen.reference} v{chosen.version} ({chosen.title})"
    why = (
        f"No approved agreement lets {agency_name(user)} use families' data for "
        f"{purpose_label(purpose).lower()}"
    )
    if listing:
        why += ": " + "; ".join(_not_in_force_reason(a, today) for a in listing)
    return None, why + ". Ask your information governance officer to add triage to an agreement."


def _triage_queue() -> set[str]:
    """Families the latest needs run found at risk and not supported (the triage queue)."""
    from wraparound.needs.reports import latest_run
    from wraparound.needs.selectors import awaiting_triage

    run = latest_run()
    return {c.family_public_id for c in awaiting_triage(run)} if run is not None else set()


def _triage_need(
    user: Reader, family_public_id: str, purpose: str, now: dt.datetime
) -> tuple[str, str]:
    """(need to know, reason) for triage, or ("", why not)."""
    from wraparound.needs.selectors import is_awaiting_triage

    agreement, basis = triage_basis(user, purpose, now)
    if agreement is None:
        return "", basis
    waiting, run = is_awaiting_triage(family_public_id)
    if not waiting:
        return "", (
            f"Family {family_public_id} is not on the triage queue: the latest needs run did not "
            "find it at risk and not supported. To work with it you need a relationship (a "
            "referral to your agency) or emergency access with a reason."
        )
    assert run is not None
    return TRIAGE, (
        f"Triage under {basis}: at risk and not supported in the needs run of "
        f"{run.reference_date:%-d %B %Y}"
    )


# --- agreements and consent -----------------------------------------------------------------


def _agreements_for(agency_id: int, purpose: str) -> list[SharingAgreement]:
    """Every agreement (any status) naming ``agency_id`` as a party and listing ``purpose``."""
    return [
        a
        for a in agreement_cache.all_agreements()
        if purpose in (a.purposes or []) and any(p.agency_id == agency_id for p in a.parties.all())
    ]


def _in_force(agreement: SharingAgreement, today: dt.date) -> bool:
    parties = list(agreement.parties.all())
    return (
        agreement.status == AgreementStatus.APPROVED
        and agreement.in_date(today)
        and bool(parties)
        and all(p.approved_version == agreement.version for p in parties)
    )


def _not_in_force_reason(agreement: SharingAgreement, today: dt.date) -> str:
    label = f"{agreement.reference} ({agreement.title})"
    if agreement.status == AgreementStatus.SUSPENDED:
        return f"agreement {label} is suspended"
    if agreement.status == AgreementStatus.EXPIRED or (
        agreement.end_date is not None and today > agreement.end_date
    ):
        return f"agreement {label} has expired"
    if agreement.status == AgreementStatus.DRAFT:
        waiting = [
            p.agency.name
            for p in agreement.parties.all()
            if p.approved_version != agreement.version
        ]
        return f"agreement {label} is a draft still awaiting approval by {', '.join(waiting) or 'its parties'}"
    if today < agreement.start_date:
        return f"agreement {label} does not start until {agreement.start_date:%-d %B %Y}"
    return f"agreement {label} is not in force"


def _shares(agreement: SharingAgreement, provider_id: int, category: str) -> bool:
    return any(
        s.providing_agency_id == provider_id and s.category == category
        for s in agreement.shared_categories.all()
    )


def _consents_for(family_public_id: str, person_public_id: str) -> list[ConsentRecord]:
    """Consent records that apply: the family's, and the person's when a person is asked about."""
    scope = Q(family_public_id=family_public_id, person_public_id="")
    if person_public_id:
        scope |= Q(person_public_id=person_public_id)
    return list(ConsentRecord.objects.filter(scope).order_by("-recorded_at", "-id"))


def _consent_verdict(
    agreement: SharingAgreement,
    category: str,
    purpose: str,
    consents: list[ConsentRecord],
) -> tuple[bool, str, str, str]:
    """(permitted, reason, consent_ref, no_consent_reason) for a consent-based agreement."""
    latest = next(
        (
            c
            for c in consents
            if c.covers(agreement_id=agreement.pk, category=category, purpose=purpose)
        ),
        None,
    )
    ref = agreement.reference
    if latest is None:
        return False, f"{ref} needs consent and none is recorded", "", ""
    when = timezone.localtime(latest.recorded_at).strftime("%-d %B %Y")
    if latest.decision == ConsentDecision.GIVEN:
        return True, f"consent given on {when}", f"consent-{latest.pk}", ""
    if latest.decision == ConsentDecision.NOT_SOUGHT:
        if latest.no_consent_condition in (agreement.no_consent_conditions or []):
            return (
                True,
                (f"shared without consent under {latest.no_consent_condition}, recorded on {when}"),
                f"consent-{latest.pk}",
                latest.no_consent_condition,
            )
        return (
            False,
            (
                f"{ref} needs consent; the recorded reason for not seeking it "
                f"({latest.no_consent_condition or 'none given'}) is not one this agreement allows"
            ),
            f"consent-{latest.pk}",
            "",
        )
    verb = "was withdrawn" if latest.decision == ConsentDecision.WITHDRAWN else "was refused"
    return False, f"{ref} needs consent and it {verb} on {when}", f"consent-{latest.pk}", ""


# --- the decision ---------------------------------------------------------------------------


def _provider_map(refs: list[tuple[ProviderRef, str]]) -> dict[int, Agency]:
    agencies = {a.pk: a for a, _ in refs if isinstance(a, Agency)}
    missing = {a for a, _ in refs if not isinstance(a, Agency)} - set(agencies)
    if missing:
        agencies.update({a.pk: a for a in Agency.objects.filter(pk__in=missing)})
    unknown = missing - set(agencies)
    if unknown:
        raise PolicyError(f"No agency with id {sorted(unknown)} provides data.")
    return agencies


def _pid(ref: ProviderRef) -> int:
    return ref.pk if isinstance(ref, Agency) else int(ref)


@dataclass
class _Asking:
    """One question's context, shared by its per-category answers."""

    user: Reader
    family_public_id: str
    person_public_id: str
    purpose: str
    today: dt.date
    relationship: CareRelationship | None
    grant: BreakGlassGrant | None
    agreements: list[SharingAgreement]
    consents: list[ConsentRecord] | None = None

    def consent_records(self) -> list[ConsentRecord]:
        if self.consents is None:
            self.consents = _consents_for(self.family_public_id, self.person_public_id)
        return self.consents


def _judge(ask: _Asking, provider: Agency, category: str) -> CategoryDecision:
    """Rules 2 (break-glass scope) to 5 for one (providing agency, category)."""

    def answer(ok: bool, reason: str, **extra: str) -> CategoryDecision:
        return CategoryDecision(
            provider.pk, provider.slug, provider.name, category, ok, reason, **extra
        )

    label = category_label(category).lower()
    grant = ask.grant
    if ask.relationship is None and grant is not None and category not in (grant.categories or []):
        covered = listed([category_label(c).lower() for c in grant.categories]) or "nothing"
        return answer(False, f"Your emergency access covers {covered}, not {label} data.")
    if provider.pk == ask.user.agency_id:
        return answer(True, "Your own agency's record.", basis="own_agency")
    sharing = [a for a in ask.agreements if _shares(a, provider.pk, category)]
    in_force = [a for a in sharing if _in_force(a, ask.today)]
    if not in_force:
        why = (
            f"No approved agreement lets {agency_name(ask.user)} see {label} data from "
            f"{provider.name} for {purpose_label(ask.purpose).lower()}"
        )
        if sharing:
            why += ": " + "; ".join(_not_in_force_reason(a, ask.today) for a in sharing)
        return answer(False, why + ".")
    no_consent = [a for a in in_force if not a.consent_required]
    if no_consent:
        chosen = no_consent[0]
        return answer(
            True,
            f"Shared under {chosen.reference} ({chosen.title}); consent is not the basis.",
            basis="agreement",
            agreement=f"{chosen.reference} v{chosen.version}",
        )
    consents = ask.consent_records()
    verdicts = [(a, _consent_verdict(a, category, ask.purpose, consents)) for a in in_force]
    chosen, (ok, why, ref, no_reason) = next(((a, v) for a, v in verdicts if v[0]), verdicts[0])
    reason = f"Shared under {chosen.reference}: {why}." if ok else f"{why[0].upper()}{why[1:]}."
    return answer(
        ok,
        reason,
        basis="agreement" if ok else "",
        agreement=f"{chosen.reference} v{chosen.version}",
        consent_ref=ref,
        no_consent_reason=no_reason,
    )


def _need_to_know(
    user: Reader, family_public_id: str, purpose: str, now: dt.datetime
) -> tuple[CareRelationship | None, BreakGlassGrant | None, list[CareRelationship]]:
    """Rule 2: the relationship serving ``purpose``, else an unexpired grant; and any
    relationships held for other (narrower) purposes, to say why they do not serve."""
    related = list(relationships_of(user, family_public_id, now).select_related("agency"))
    serving = set(purposes_serving(purpose))
    relationship = min(
        (r for r in related if r.purpose in serving), key=lambda r: r.kind, default=None
    )
    if relationship is not None:
        return relationship, None, related  # a relationship makes any grant irrelevant
    grant = (
        BreakGlassGrant.objects.filter(
            user_id=user.pk,
            family_public_id=family_public_id,
            granted_at__lte=now,
            expires_at__gt=now,
        )
        .order_by("-expires_at")
        .first()
    )
    return None, grant, related


def decide(
    *,
    user: Reader,
    family_public_id: str,
    person_public_id: str | None = None,
    categories: Iterable[tuple[ProviderRef, str]],
    purpose: str,
    now: dt.datetime | None = None,
) -> Decision:
    """Answer, per (providing agency, category), whether ``user`` may see it for ``purpose``.

    Pure decision: nothing is written. Use ``wraparound.sharing.gate`` to decide and audit.
    """
    _check_purpose(purpose)
    now = now or timezone.now()
    asked = list(categories)
    refs = list(dict.fromkeys((_pid(p), c) for p, c in asked))
    for _, code in refs:
        if code not in catalogues().categories:
            raise PolicyError(f"Unknown data category {code!r}: see data_categories.yaml.")
    providers = _provider_map(asked)
    person = person_public_id or ""

    def deny_all(reason: str) -> Decision:
        items = tuple(
            CategoryDecision(pid, providers[pid].slug, providers[pid].name, code, False, reason)
            for pid, code in refs
        )
        return Decision(family_public_id, person, purpose, "", reason, None, items)

    reader = catalogues().purposes[purpose].reader
    if reader == "aggregate":
        return deny_all(
            f"{purpose_label(purpose)} sees aggregate figures only, never a named family."
        )
    if not _reads_individuals(user, purpose):
        role = Role(user.role).label if getattr(user, "role", None) in Role.values else "none"
        who = {
            "casework": "read individual families' records",
            "linkage_review": "review record linkage (data analysts do)",
            "subject_access": "answer subject access requests (IG officers do)",
            TRIAGE: "triage families for early help (team managers do)",
            "claim_assurance": "audit outcome claims (internal auditors do)",
        }[reader]
        return deny_all(f"Your role ({role}) does not {who}.")
    relationship: CareRelationship | None = None
    grant: BreakGlassGrant | None = None
    if reader == "linkage_review":
        need, need_reason = "linkage_review", "Clerical review of record linkage"
    elif reader == "subject_access":
        need, need_reason = "subject_access", "Answering a subject access request"
    elif reader == TRIAGE:
        need, need_reason = _triage_need(user, family_public_id, purpose, now)
        if not need:
            return deny_all(need_reason)
    elif reader == "claim_assurance":
        need, need_reason = "internal_audit", "Internal audit of an outcome claim in the sample"
    else:
        relationship, grant, related = _need_to_know(user, family_public_id, purpose, now)
        if relationship is not None:
            need = relationship.kind
            need_reason = (
                f"{relationship.get_kind_display()} ({relationship.agency.name}), held for "
                f"{purpose_label(relationship.purpose).lower()}"
            )
        elif grant is not None:
            need = "break_glass"
            need_reason = (
                f"Emergency access until {timezone.localtime(grant.expires_at):%-d %B %Y %H:%M}"
            )
        elif related:
            held = ", ".join(sorted({purpose_label(r.purpose).lower() for r in related}))
            return deny_all(
                f"Your relationship with family {family_public_id} is held for {held}, not "
                f"{purpose_label(purpose).lower()}. A wider purpose needs its own basis: a "
                "recorded safeguarding concern or strategy discussion, or emergency access "
                "with a reason."
            )
        else:
            return deny_all(
                f"You have no current relationship with family {family_public_id} (allocated "
                "worker, team around the family or a referral to your agency) and no emergency "
                "access to it."
            )
    ask = _Asking(
        user=user,
        family_public_id=family_public_id,
        person_public_id=person,
        purpose=purpose,
        today=timezone.localdate(now),
        relationship=relationship,
        grant=grant,
        agreements=_agreements_for(user.agency_id or 0, purpose) if refs else [],
    )
    items = tuple(_judge(ask, providers[pid], code) for pid, code in refs)
    grant_id = grant.pk if grant is not None else None
    return Decision(family_public_id, person, purpose, need, need_reason, grant_id, items)
