"""A tour of the service: every page every role can open, against a demo-like partnership.

The raw-code test (test_pages_speak_users_words) and the all-pages axe browser test walk the
same tour, so what one checks the other sees. The partnership is the real demo loader at a
small size (realistic codes, match reasons, suppression, caseloads) plus the access-table
seeding (so every row of the access table has its arguments). Pages are the access table's
GET rows the role may open, and the pages behind the demo's own lists (a family on the
practitioner's caseload, pairs in the review queue and people in the index, each agreement, each break-glass use, and
each evaluation plan that has a run: its balance table and charts are where covariate codes
would show, and the access table's own plan is a draft with no results; outcomes reviews,
claim checks and internal audit's sample with its evidence packs).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from wraparound.core.models import Role, User
from wraparound.core.tests.access_table import EXPECTED, PUBLIC

# The smallest county whose every demo extract has rows (fewer households leave one empty).
TOUR_HOUSEHOLDS = 600
# Whose eyes the tour uses: early help coordinates the partnership and sees most of it.
TOUR_AGENCY = "hcc-early-help"
# Per list, how many of its detail pages to open (they share one template).
DETAILS_PER_LIST = 2


@dataclass(frozen=True)
class Stop:
    role: str
    username: str
    url: str


def load_tour_partnership() -> dict[str, Any]:
    """The demo partnership plus the access-table seeding; returns the seeded context."""
    from wraparound.core.demo import load_demo_partnership
    from wraparound.core.tests import seed

    load_demo_partnership(households=TOUR_HOUSEHOLDS, seed=1)
    seeded = seed.seed_for_access_tests()
    _emergency_access_through_the_service()
    return seeded


def _emergency_access_through_the_service() -> None:
    """An emergency access as a practitioner makes one, so the IG officers' alert (the text
    the service writes, not the access seeding's bare grant) is on the tour."""
    from wraparound.sharing.services import request_break_glass

    request_break_glass(
        user=tour_user(Role.PRACTITIONER),
        family_public_id="F-TOUR-EMERGENCY",
        reason="Child missing overnight: need GP and social care contacts now.",
        categories=["health", "social_care"],
        hours=2,
    )


def tour_user(role: str) -> User:
    """The demo's sign-in for ``role`` at the tour agency (``<agency>-<role>``)."""
    return User.objects.get(username=f"{TOUR_AGENCY}-{role.replace('_', '-')}")


def _access_table_pages(role: str, seeded: dict[str, Any]) -> Iterator[str]:
    for row in EXPECTED:
        if row.method != "get" or 200 not in row.ok_statuses:
            continue
        if row.allowed != PUBLIC and role not in row.allowed:
            continue
        yield reverse(row.url_name, kwargs=row.kwargs(seeded) if row.kwargs else {})


def _demo_detail_pages(user: User) -> Iterator[str]:
    from wraparound.matching.models import ReviewPair, ReviewStatus
    from wraparound.sharing.models import BreakGlassGrant, SharingAgreement

    for agreement in SharingAgreement.objects.order_by("pk"):
        yield reverse("sharing:agreement", kwargs={"pk": agreement.pk})
    if user.role in (Role.PRACTITIONER, Role.TEAM_MANAGER):
        # The caseload's families with the most needs first: their pages show the most.
        families = _caseload_by_need(user)
        for family in families[:DETAILS_PER_LIST]:
            yield reverse("casework:family", kwargs={"family_public_id": family})
    if user.role == Role.DATA_ANALYST:
        from wraparound.records.models import Extract

        for extract in Extract.objects.filter(agency=user.agency).order_by("pk")[:1]:
            yield reverse("records:extract", kwargs={"pk": extract.pk})
        pairs = ReviewPair.objects.filter(status=ReviewStatus.PENDING).order_by("pk")
        for pair in pairs[:DETAILS_PER_LIST]:
            yield reverse("matching:pair", kwargs={"pk": pair.pk})
        # Pairs a rule held back say why in words; the first page of the queue may have none.
        from wraparound.matching.review_queue import HELD_BACK

        yield reverse("matching:queue") + "?reason=held_back"
        for pair in pairs.filter(why__has_key=HELD_BACK)[:DETAILS_PER_LIST]:
            yield reverse("matching:pair", kwargs={"pk": pair.pk})
        from wraparound.matching.models import Person

        # The person pages the pairs link to (merge and split happen there).
        for person in Person.objects.filter(retired_at__isnull=True).order_by("pk")[
            :DETAILS_PER_LIST
        ]:
            yield reverse("matching:person", kwargs={"public_id": person.public_id})
    if user.role in (Role.TEAM_MANAGER, Role.DATA_ANALYST):
        from wraparound.evaluation.models import EvaluationPlan

        for plan in EvaluationPlan.objects.filter(runs__isnull=False).distinct().order_by("pk"):
            yield reverse("evaluation:plan", kwargs={"pk": plan.pk})
    if user.role == Role.IG_OFFICER:
        for grant in BreakGlassGrant.objects.order_by("pk")[:DETAILS_PER_LIST]:
            yield reverse("sharing:break-glass-review", kwargs={"pk": grant.pk})
    yield from _outcomes_pages(user)


def _outcomes_pages(user: User) -> Iterator[str]:
    """Outcomes: the practitioner's review (proposals from data), the manager's claim check, and internal audit's sample (each claim's evidence pack and its
    spot-check questions, or the recorded check)."""
    from wraparound.outcomes.models import Baseline, Claim, ClaimStatus
    from wraparound.outcomes.selectors import in_audit_sample

    if user.role == Role.PRACTITIONER:
        for baseline in Baseline.objects.filter(fixed_by=user).order_by("pk")[:DETAILS_PER_LIST]:
            yield reverse("outcomes:review", kwargs={"pk": baseline.pk})
            yield reverse("outcomes:family", kwargs={"family_public_id": baseline.family_public_id})
    if user.role == Role.TEAM_MANAGER:
        from wraparound.outcomes.selectors import claims_in_pipeline

        for claim in claims_in_pipeline(user=user)[:1]:  # the claims the manager's list shows
            yield f"{reverse('outcomes:validate-claim')}?claim={claim.pk}"
    if user.role == Role.AUDITOR:
        sample = Claim.objects.filter(in_audit_sample()).distinct().order_by("pk")
        waiting = sample.filter(status=ClaimStatus.SAMPLED, audit_answers={})[:1]
        checked = sample.exclude(audit_answers={})[:1]
        for claim in [*waiting, *checked]:
            yield reverse("outcomes:audit", kwargs={"pk": claim.pk})


def tour(seeded: dict[str, Any], roles: list[str] | None = None) -> list[Stop]:
    """Every page of every role, each once, in a stable order."""
    stops: list[Stop] = []
    for role in roles or Role.values:
        user = tour_user(role)
        urls = dict.fromkeys([*_access_table_pages(role, seeded), *_demo_detail_pages(user)])
        stops += [Stop(role, user.username, url) for url in urls]
    return stops


def _caseload_by_need(user: User) -> list[str]:
    from wraparound.needs.models import FamilyNeedsProfile
    from wraparound.sharing.models import CareRelationship

    caseload = set(
        CareRelationship.objects.filter(user=user).values_list("family_public_id", flat=True)
    )
    ranked = (
        FamilyNeedsProfile.objects.filter(family_public_id__in=caseload)
        .order_by("-outcome_count", "family_public_id")
        .values_list("family_public_id", flat=True)
    )
    return list(dict.fromkeys([*ranked, *sorted(caseload)]))


def html_pages(stops: list[Stop]) -> list[Stop]:
    """The stops that answer with an HTML page (not a download, an API or a redirect)."""
    from django.test import Client

    clients: dict[str, Client] = {}
    pages = []
    for stop in stops:
        if stop.role not in clients:
            clients[stop.role] = Client()
            clients[stop.role].force_login(tour_user(stop.role))
        response = clients[stop.role].get(stop.url)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            pages.append(stop)
    return pages
