"""Properties of the policy engine over randomly generated partnerships (hypothesis).

Each example builds a small world (agencies, agreements in random states, relationships,
break-glass grants, consent records) and asks random questions; the answers must respect the
rules whatever the world looks like.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wraparound.core.models import AgencyKind, Role
from wraparound.sharing.models import BreakGlassGrant, ConsentDecision
from wraparound.sharing.policy import decide, visible_families
from wraparound.sharing.tests.factories import agency, agreement, consent, relationship, worker

pytestmark = pytest.mark.django_db

KINDS = [AgencyKind.POLICE, AgencyKind.HEALTH, AgencyKind.SOCIAL_CARE]
CATEGORIES = ["health", "police", "identity"]
PURPOSES = ["safeguarding", "early_help_coordination"]
STATES = [
    "approved",
    "approved",
    "approved",
    "draft",
    "suspended",
    "expired",
    "past_end",
    "past_end",
    "half_approved",
]
FAMILIES = ["F-A", "F-B"]


@dataclass(frozen=True)
class AgreementSpec:
    parties: frozenset[int]
    shares: frozenset[tuple[int, str]]
    purposes: frozenset[str]
    state: str
    consent_required: bool


@dataclass(frozen=True)
class World:
    agreements: list[AgreementSpec]
    user_agency: int
    role: str
    relationship_family: str | None
    grant: tuple[str, frozenset[str]] | None
    consents: list[str]  # decisions in order for family F-A (family-wide)


agreement_specs = st.builds(
    AgreementSpec,
    parties=st.frozensets(st.integers(0, 2), min_size=2, max_size=3),
    shares=st.frozensets(
        st.tuples(st.integers(0, 2), st.sampled_from(CATEGORIES)), min_size=2, max_size=6
    ),
    purposes=st.sampled_from([frozenset(PURPOSES), frozenset(PURPOSES), frozenset(PURPOSES[:1])]),
    state=st.sampled_from(STATES),
    consent_required=st.booleans(),
)
worlds = st.builds(
    World,
    agreements=st.lists(agreement_specs, min_size=1, max_size=4),
    user_agency=st.integers(0, 2),
    role=st.sampled_from(
        [Role.PRACTITIONER] * 6 + [Role.TEAM_MANAGER] * 2 + [Role.DATA_ANALYST, Role.IG_OFFICER]
    ),
    relationship_family=st.sampled_from(["F-A"] * 4 + [None, "F-B"]),
    grant=st.one_of(
        st.none(),
        st.tuples(
            st.sampled_from(FAMILIES), st.frozensets(st.sampled_from(CATEGORIES), min_size=1)
        ),
    ),
    consents=st.lists(
        st.sampled_from(
            [ConsentDecision.GIVEN, ConsentDecision.WITHDRAWN, ConsentDecision.REFUSED]
        ),
        max_size=3,
    ),
)


def _questions_for(world: World) -> st.SearchStrategy[tuple[str, list[tuple[int, str]], str]]:
    """Questions biased towards what the world's agreements share, so permits are common."""
    shared = sorted({pair for spec in world.agreements for pair in spec.shares})
    pairs = st.tuples(st.integers(0, 2), st.sampled_from(CATEGORIES))
    if shared:
        pairs = st.one_of(st.sampled_from(shared), st.sampled_from(shared), pairs)
    return st.tuples(
        st.sampled_from(["F-A", "F-A", "F-B"]),
        st.lists(pairs, min_size=1, max_size=5),
        st.sampled_from(PURPOSES),
    )


def _build(world: World) -> tuple[list[Any], Any]:
    agencies = [agency(kind, f"prop-{i}", f"Prop agency {i}") for i, kind in enumerate(KINDS)]
    today = timezone.localdate()
    for spec in world.agreements:
        status = {"approved": "approved", "past_end": "approved", "half_approved": "approved"}.get(
            spec.state, spec.state
        )
        made = agreement(
            parties=[agencies[i] for i in sorted(spec.parties)],
            shares=[(agencies[a], c) for a, c in sorted(spec.shares) if a in spec.parties],
            purposes=sorted(spec.purposes),
            status=status,
            consent_required=spec.consent_required,
            end=today - dt.timedelta(days=1) if spec.state == "past_end" else None,
            approved_by_all=spec.state in {"approved", "past_end", "suspended", "expired"},
        )
        if spec.state == "half_approved":
            party = made.parties.order_by("pk").first()
            party.approved_version = None
            party.save()
    user = worker(agencies[world.user_agency], role=world.role)
    if world.relationship_family:
        relationship(user, world.relationship_family)
    if world.grant:
        now = timezone.now()
        BreakGlassGrant.objects.create(
            user=user,
            family_public_id=world.grant[0],
            reason="property test emergency",
            categories=sorted(world.grant[1]),
            granted_at=now - dt.timedelta(minutes=1),
            expires_at=now + dt.timedelta(hours=1),
        )
    base = timezone.now() - dt.timedelta(hours=1)
    for n, decision in enumerate(world.consents):
        consent("F-A", decision, user, recorded_at=base + dt.timedelta(minutes=n))
    return agencies, user


def _in_force(spec: AgreementSpec) -> bool:
    return spec.state == "approved"


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds, data=st.data())
def test_the_policy_never_permits_outside_the_rules(world: World, data: st.DataObject) -> None:
    family, asked, purpose = data.draw(_questions_for(world))
    sid = transaction.savepoint()
    try:
        agencies, user = _build(world)
        decision = decide(
            user=user,
            family_public_id=family,
            categories=[(agencies[a], c) for a, c in asked],
            purpose=purpose,
        )
        related = world.relationship_family == family
        grant_cats = world.grant[1] if world.grant and world.grant[0] == family else frozenset()
        latest_consent = world.consents[-1] if world.consents and family == "F-A" else None
        for item in decision.permitted:
            provider = next(i for i, a in enumerate(agencies) if a.pk == item.provider_id)
            # Only roles that do casework ever read a family's records.
            assert world.role in {Role.PRACTITIONER, Role.TEAM_MANAGER}
            # Never without need to know: a relationship, or break-glass covering the category.
            assert related or item.category in grant_cats
            if provider == world.user_agency:
                continue
            # Never a category no approved, in-date agreement grants for this purpose.
            granting = [
                s
                for s in world.agreements
                if _in_force(s)
                and purpose in s.purposes
                and world.user_agency in s.parties
                and provider in s.parties
                and (provider, item.category) in s.shares
            ]
            assert granting, item
            # Consent-only sharing needs consent currently given.
            if all(s.consent_required for s in granting):
                assert latest_consent == ConsentDecision.GIVEN
        # The list and the detail page agree.
        if decision.permitted:
            assert family in visible_families(user, purpose)
    finally:
        transaction.savepoint_rollback(sid)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds, data=st.data())
def test_a_family_outside_the_visible_list_yields_nothing(
    world: World, data: st.DataObject
) -> None:
    family, asked, purpose = data.draw(_questions_for(world))
    sid = transaction.savepoint()
    try:
        agencies, user = _build(world)
        if family in visible_families(user, purpose):
            return
        decision = decide(
            user=user,
            family_public_id=family,
            categories=[(agencies[a], c) for a, c in asked],
            purpose=purpose,
        )
        assert decision.permitted == []
        assert all(item.reason for item in decision.denied)
    finally:
        transaction.savepoint_rollback(sid)
