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


def run(
    *, events: int, repeat: int, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """Median render times with and without policy + audit, and the overhead in percent."""
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
        "repeat": repeat,
        "median_ms_with_policy_and_audit": round(median_with, 2),
        "median_ms_without_policy": round(median_without, 2),
        "overhead_percent": round(100 * (median_with / median_without - 1), 1),
    }
