"""Measure what the sharing policy and audit add to rendering a family page."""

from __future__ import annotations

import json
import statistics
import time
from contextlib import contextmanager
from typing import Any
from unittest import mock

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.test import Client
from django.urls import reverse
from tqdm import tqdm

from wraparound.casework import family_page
from wraparound.sharing.gate import FilteredRead


class _NoPolicyGate:
    """The page without policy or audit: every item shown, nothing written. Benchmark only."""

    @staticmethod
    def open_family(**kwargs: Any) -> Any:
        return mock.Mock(need_to_know="allocated_worker", need_to_know_reason="benchmark")

    @staticmethod
    def read(*, items: Any, **kwargs: Any) -> FilteredRead[Any]:
        return FilteredRead(list(items), [], mock.Mock())


@contextmanager
def _without_policy() -> Any:
    with mock.patch.object(family_page, "gate", _NoPolicyGate):
        yield


class Command(BaseCommand):
    help = "Family page render time with policy + audit vs without (a family with N events)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, default=200)
        parser.add_argument("--repeat", type=int, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        from wraparound.casework.tests.builders import (
            known_family,
        )
        from wraparound.sharing.tests import factories as sharing

        with transaction.atomic():  # everything made here is rolled back at the end
            family = known_family("F-BENCH001", extra_events=max(options["events"] - 5, 0))
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
            sharing.relationship(worker, family.family_public_id)
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
            for _ in tqdm(range(options["repeat"]), desc="renders", unit="pair"):
                with_policy.append(render())
                with _without_policy():
                    without.append(render())
            shown = len(
                family_page.build_family_page(
                    user=worker, family_public_id=family.family_public_id, purpose=query["purpose"]
                ).chronology
            )
            transaction.set_rollback(True)
        median_with = statistics.median(with_policy) * 1000
        median_without = statistics.median(without) * 1000
        self.stdout.write(
            json.dumps(
                {
                    "benchmark": "family-page",
                    "events": options["events"],
                    "events_shown": shown,
                    "repeat": options["repeat"],
                    "median_ms_with_policy_and_audit": round(median_with, 2),
                    "median_ms_without_policy": round(median_without, 2),
                    "overhead_percent": round(100 * (median_with / median_without - 1), 1),
                },
                indent=2,
            )
        )
