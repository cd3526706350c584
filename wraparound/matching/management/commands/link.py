"""`wraparound link`: link every agency's current records into the master index."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from wraparound.matching.pipeline import LinkageError
from wraparound.matching.pipeline.backends import BACKENDS
from wraparound.matching.services import run_linkage

STAGES = 5


class Command(BaseCommand):
    help = "Link agencies' person records into the master index of people and families."
    requires_system_checks: list[str] = []  # a batch job: page/URL checks are not its concern

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--backend", choices=BACKENDS, default="duckdb")
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="score only records not yet in the index, with the last saved model",
        )
        parser.add_argument("--match-threshold", type=float, default=0.95)
        parser.add_argument("--review-threshold", type=float, default=0.5)
        parser.add_argument(
            "--json", action="store_true", help="print the run's summary as JSON after the line"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bar = tqdm(total=STAGES, unit="stage", disable=options["verbosity"] == 0)

        def progress(message: str) -> None:
            bar.set_description(message)
            bar.update(1)

        try:
            run = run_linkage(
                backend=options["backend"],
                incremental=options["incremental"],
                match_threshold=options["match_threshold"],
                review_threshold=options["review_threshold"],
                progress=progress,
            )
        except LinkageError as error:
            raise CommandError(str(error)) from error
        finally:
            bar.close()
        mode = "incremental" if run.incremental else "full"
        self.stdout.write(
            f"Linkage run {run.pk} ({mode}, {run.backend}): {run.records:,} records -> "
            f"{run.people:,} people in {run.families:,} families; "
            f"{run.pairs_auto_accepted:,} pairs auto-accepted, "
            f"{run.pairs_for_review:,} sent to review; {run.comparisons:,} comparisons."
        )
        # Warnings include every count of values that failed parsing, per source and field.
        for warning in run.summary.get("warnings", []):
            self.stdout.write(f"note: {warning}")
        if options["json"]:
            self.stdout.write(json.dumps(run.summary, indent=1, default=str))
