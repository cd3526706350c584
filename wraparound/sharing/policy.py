"""The one policy decision point: may this user see this data about this family, and why?

Rules, in the order they are applied (see docs/sharing.md):

1. Role: only practitioners and team managers read individual families' records; other roles
   work with aggregates and governance data.
2. Need to know: a current legitimate relationship with the family (allocated worker, team
   around the family, a referral to the user's agency; team managers also through any
   colleague's relationship) or an unexpired break-glass grant covering the category.
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

from django.db.models import Q
from django.utils import timezone

from wraparound.core.models import Agency, Role
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

READING_ROLES = frozenset({Role.PRACTITIONER, Role.TEAM_MANAGER})
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


def _relationships_query(user: Any, now: dt.datetime) -> Q:
    """The relationships that give ``user`` need to know, active at ``now``."""
    active = Q(started_at__lte=now) & (Q(ended_at__isnull=True) | Q(ended_at__gt=now))
    mine = Q(user=user) | Q(user__isnull=True, agency_id=user.agency_id)
    if user.role == Role.TEAM_MANAGER:
        mine = mine | Q(agency_id=user.agency_id)
    return active & mine


def _reads_individuals(user: Any) -> bool:
    return bool(user.is_authenticated and user.agency_id and user.role in READING_ROLES)


def visible_families(user: Any, purpose: str, now: dt.datetime | None = None) -> set[str]:
    """Public ids of every family ``user`` may open for ``purpose`` (the list question)."""
    _check_purpose(purpose)
    if not _reads_individuals(user) or catalogues().purposes[purpose].aggregate:
        return set()
    now = now or timezone.now()
    related = CareRelationship.objects.filter(_relationships_query(user, now))
    families = set(related.values_list("family_public_id", flat=True))
    grants = BreakGlassGrant.objects.filter(user=user, granted_at__lte=now, expires_at__gt=now)
    return families | set(grants.values_list("family_public_id", flat=True))


def _check_purpose(purpose: str) -> None:
    if purpose not in catalogues().purposes:
        known = ", ".join(catalogues().purposes)
        raise PolicyError(f"Unknown purpose {purpose!r}: use one of {known}.")


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
    return agencies


def decide(
    *,
    user: Any,
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
    today = timezone.localdate(now)
    refs = list(dict.fromkeys(categories))
    for _, code in refs:
        if code not in catalogues().categories:
            raise PolicyError(f"Unknown data category {code!r}: see data_categories.yaml.")
    providers = _provider_map(refs)
    person = person_public_id or ""
    purpose_name = purpose_label(purpose).lower()

    def answer(
        provider_id: int, category: str, ok: bool, reason: str, **extra: str
    ) -> CategoryDecision:
        agency = providers.get(provider_id)
        if agency is None:
            raise PolicyError(f"No agency with id {provider_id} provides data.")
        return CategoryDecision(
            provider_id, agency.slug, agency.name, category, ok, reason, **extra
        )

    def deny_all(need: str, reason: str, grant_id: int | None = None) -> Decision:
        items = tuple(answer(_pid(p), c, False, reason) for p, c in refs)
        return Decision(family_public_id, person, purpose, need, reason, grant_id, items)

    if catalogues().purposes[purpose].aggregate:
        return deny_all(
            "", f"{purpose_label(purpose)} sees aggregate figures only, never a named family."
        )
    if not _reads_individuals(user):
        role = Role(user.role).label if getattr(user, "role", None) in Role.values else "none"
        return deny_all("", f"Your role ({role}) does not read individual families' records.")

    relationship = (
        CareRelationship.objects.filter(
            _relationships_query(user, now), family_public_id=family_public_id
        )
        .select_related("agency")
        .order_by("kind")
        .first()
    )
    # A relationship makes any grant irrelevant, so the common case skips the query.
    grant = (
        None
        if relationship is not None
        else BreakGlassGrant.objects.filter(
            user=user, family_public_id=family_public_id, granted_at__lte=now, expires_at__gt=now
        )
        .order_by("-expires_at")
        .first()
    )
    if relationship is None and grant is None:
        return deny_all(
            "",
            f"You have no current relationship with family {family_public_id} (allocated "
            "worker, team around the family or a referral to your agency) and no emergency "
            "access to it.",
        )
    if relationship is not None:
        need = relationship.kind
        need_reason = f"{relationship.get_kind_display()} ({relationship.agency.name})"
    else:
        assert grant is not None
        need = "break_glass"
        need_reason = (
            f"Emergency access until {timezone.localtime(grant.expires_at):%-d %B %Y %H:%M}"
        )

    agreements = _agreements_for(user.agency_id, purpose) if refs else []
    consents: list[ConsentRecord] | None = None
    items: list[CategoryDecision] = []
    for provider_ref, category in refs:
        provider_id = _pid(provider_ref)
        provider_name = providers[provider_id].name if provider_id in providers else "?"
        label = category_label(category).lower()
        if relationship is None and grant is not None and category not in (grant.categories or []):
            items.append(
                answer(
                    provider_id,
                    category,
                    False,
                    f"Your emergency access covers {', '.join(grant.categories) or 'nothing'}, not {label} data.",
                )
            )
            continue
        if provider_id == user.agency_id:
            items.append(
                answer(provider_id, category, True, "Your own agency's record.", basis="own_agency")
            )
            continue
        sharing = [a for a in agreements if _shares(a, provider_id, category)]
        in_force = [a for a in sharing if _in_force(a, today)]
        if not in_force:
            why = f"No approved agreement lets {user.agency.name} see {label} data from {provider_name} for {purpose_name}"
            if sharing:
                why += ": " + "; ".join(_not_in_force_reason(a, today) for a in sharing)
            items.append(answer(provider_id, category, False, why + "."))
            continue
        no_consent = [a for a in in_force if not a.consent_required]
        if no_consent:
            chosen = no_consent[0]
            items.append(
                answer(
                    provider_id,
                    category,
                    True,
                    f"Shared under {chosen.reference} ({chosen.title}); consent is not the basis.",
                    basis="agreement",
                    agreement=f"{chosen.reference} v{chosen.version}",
                )
            )
            continue
        if consents is None:
            consents = _consents_for(family_public_id, person)
        verdicts = [(a, _consent_verdict(a, category, purpose, consents)) for a in in_force]
        granted = [(a, v) for a, v in verdicts if v[0]]
        chosen, (ok, why, ref, no_reason) = granted[0] if granted else verdicts[0]
        prefix = f"Shared under {chosen.reference}: " if ok else ""
        items.append(
            answer(
                provider_id,
                category,
                ok,
                (prefix + why[0].upper() + why[1:] if not prefix else prefix + why) + ".",
                basis="agreement" if ok else "",
                agreement=f"{chosen.reference} v{chosen.version}",
                consent_ref=ref,
                no_consent_reason=no_reason,
            )
        )
    return Decision(
        family_public_id,
        person,
        purpose,
        need,
        need_reason,
        grant.pk if grant is not None and relationship is None else None,
        tuple(items),
    )


def _pid(ref: ProviderRef) -> int:
    return ref.pk if isinstance(ref, Agency) else int(ref)
