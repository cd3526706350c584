"""The family page with and without the sharing policy and audit, for ``bench family-page``.

Builds a family with N events in a transaction that is rolled back, then renders its page
through the test client in pairs: once as shipped (policy decision and hash-chained audit
entry) and once with the page's gate swapped for ``_ShowEverything``, which returns every
item and writes nothing. The swap happens here, in the test-support package, never in the
product; the product has no switch that turns the policy off.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.test import Client
from django.urls import reverse

from wraparound.casework import family_page
from wraparound.sharing.gate import FilteredRead
from wraparound.sharing.policy import Decision


class _ShowEverything:
    """A stand-in for ``wraparound.sharing.gate``: every item shown, nothing audited."""

    @staticmethod
    def read(*, items: Any, family_public_id: str, purpose: str, **_: Any) -> FilteredRead[Any]:
        decision = Decision(family_public_id, "", purpose, "allocated_worker", "benchmark", None)
        return FilteredRead(list(items), [], decision)


@contextmanager
def _without_policy() -> Iterator[None]:
    shipped = family_page.gate
    family_page.gate = _ShowEverything  # type: ignore[assignment]
    try:
        yield
    finally:
        family_page.gate = shipped


def _casework(family: Any, worker: Any, *, notes: int, plan: bool) -> None:
    """A case led by ``worker`` with ``notes`` case notes and (``plan``) an assessed plan."""
    import datetime as dt

    from django.utils import timezone

    from wraparound.casework import plan_services, services
    from wraparound.casework.plan_services import AreaAnswers
    from wraparound.sharing.tests import factories as sharing

    case = services.open_case(by=worker, family_public_id=family.family_public_id, lead=worker)
    health = sharing.worker(family.health, username="bench-health")
    services.add_member(by=worker, case=case, user=health, role="Health visitor")
    today = timezone.localdate()
    for n in range(notes):
        author, category = (health, "health") if n % 3 == 0 else (worker, "early_help")
        services.add_note(
            by=author,
            case=case,
            category=category,
            body=f"Case note {n}: home visit, talked through the plan with mum.",
            occurred_on=today - dt.timedelta(days=n),
        )
    if not plan:
        return
    assessment = plan_services.start_assessment(by=worker, case=case)
    needs = ("safe_from_abuse", "health", "education", "family_relationships")
    plan_services.save_assessment(
        by=worker,
        assessment=assessment,
        expected_version=assessment.version,
        areas={n: AreaAnswers(worries="Worried", is_need=True) for n in needs},
        child_words="I like school.",
        parents_words="We want help.",
    )
    for n, need in enumerate(needs * 2):
        plan_services.add_action(
            by=worker,
            case=case,
            outcome=need,
            description=f"Action {n}: the owner does this specific thing by the date",
            owner=health if n % 2 else worker,
            due_on=today + dt.timedelta(days=n * 7 - 14),
        )
    plan_services.record_review(
        by=worker,
        case=case,
        held_on=today,
        attendees="Lead\nHealth visitor\nMother",
        decisions="Keep going.",
        next_review_on=today + dt.timedelta(days=42),
    )


def run(
    *,
    events: int,
    repeat: int,
    notes: int = 50,
    plan: bool = True,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Median render times with and without policy + audit, and the overhead in percent.

    The family has ``events`` agency events and a Wraparound case with ``notes`` case notes
    and (``plan``) an assessment and a plan with eight actions and a review.
    """
    from wraparound.casework.tests.builders import known_family
    from wraparound.sharing.tests import factories as sharing

    with transaction.atomic():  # everything made here is rolled back at the end
        family = known_family("F-BENCH001", extra_events=max(events - 5, 0))
        sharing.agreement(
            parties=[family.police, family.health, family.early_help],
            shares=[
                (family.police, "identity"),
                (family.police, "police"),
                (family.health, "identity"),
                (family.health, "health"),
            ],
            purposes=["early_help_coordination"],
        )
        worker = sharing.worker(family.early_help, username="bench-worker")
        sharing.relationship(worker, family.family_public_id, purpose="early_help_coordination")
        _casework(family, worker, notes=notes, plan=plan)
        client = Client()
        client.force_login(worker)
        url = reverse("casework:family", kwargs={"family_public_id": family.family_public_id})
        query = {"purpose": "early_help_coordination"}

        def render() -> float:
            start = time.perf_counter()
            response = client.get(url, query)
            assert response.status_code == 200, response.status_code
            return time.perf_counter() - start

        render()  # warm caches (catalogues, templates)
        with_policy, without = [], []
        for _ in range(repeat):
            with_policy.append(render())
            with _without_policy():
                without.append(render())
            if progress:
                progress(1)
        shown = len(
            family_page.build_family_page(
                user=worker, family_public_id=family.family_public_id, purpose=query["purpose"]
            ).chronology
        )
        transaction.set_rollback(True)
    median_with = statistics.median(with_policy) * 1000
    median_without = statistics.median(without) * 1000
    return {
        "benchmark": "family-page",
        "events": events,
        "events_shown": shown,
        "case_notes": notes,
        "plan": plan,
        "repeat": repeat,
        "median_ms_with_policy_and_audit": round(median_with, 2),
        "median_ms_without_policy": round(median_without, 2),
        "overhead_percent": round(100 * (median_with / median_without - 1), 1),
    }
