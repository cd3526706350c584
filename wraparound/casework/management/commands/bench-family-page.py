"""`wraparound bench family-page`: what the sharing policy and audit add to a family page.

Thin: the harness lives in the test-support package ``wraparound.testing`` (it builds a
throwaway family and swaps the page's gate for the comparison run); nothing here patches.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm


class Command(BaseCommand):
    help = "Family page render time with policy + audit vs without (a family with N events)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, default=200)
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--notes", type=int, default=50, help="case notes on the family")
        parser.add_argument(
            "--no-plan", action="store_true", help="no assessment and plan on the case"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from wraparound.testing.family_page_bench import run

        with tqdm(total=options["repeat"], desc="renders", unit="pair") as bar:
            results = run(
                events=options["events"],
                repeat=options["repeat"],
                notes=options["notes"],
                plan=not options["no_plan"],
                progress=bar.update,
            )
        self.stdout.write(json.dumps(results, indent=2))
