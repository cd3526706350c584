"""`wraparound bench linkage`: synth + import + link, scored against truth, with a baseline."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from wraparound.matching.bench import run_benchmark


class Command(BaseCommand):
    help = "Linkage benchmark: synth, import and link N households; JSON figures vs truth and a plain Splink baseline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--households", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--rerun", action="store_true", help="link twice and report how many person ids survive"
        )
        parser.add_argument(
            "--workdir", type=Path, default=None, help="keep synth output and database here"
        )
        parser.add_argument(
            "--cache",
            type=Path,
            default=None,
            help="keep synthetic counties here between runs (default: VAR_DIR/bench/counties)",
        )
        parser.add_argument(
            "--fresh-synth",
            action="store_true",
            help="synthesise the county again even if the cache holds it",
        )
        parser.add_argument(
            "--incremental",
            metavar="AGENCY:DATASET",
            default=None,
            help="hold this extract back, then import it and time `link --incremental`",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["households"] < 1:
            raise CommandError("--households must be at least 1")
        with tempfile.TemporaryDirectory(prefix="wraparound-bench-") as scratch:
            workdir = options["workdir"] or Path(scratch)
            try:
                figures = run_benchmark(
                    households=options["households"],
                    seed=options["seed"],
                    workdir=workdir,
                    rerun=options["rerun"],
                    incremental=options["incremental"],
                    cache=options["cache"] or Path(settings.VAR_DIR) / "bench" / "counties",
                    fresh_synth=options["fresh_synth"],
                )
            except RuntimeError as error:
                raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(figures, indent=2))
