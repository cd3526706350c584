"""`wraparound bench import`: synth and import a county, timing each stage."""

from __future__ import annotations

import json
import tempfile
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from wraparound.records.bench import bench_import


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = "Import benchmark: synth N households, import every extract, re-import, read back; JSON figures."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--households", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "wraparound-bench-import"
        )
        parser.add_argument(
            "--database-url",
            help="an EMPTY database to import into (default: a throw-away SQLite file in --workdir)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            figures = bench_import(
                households=options["households"],
                seed=options["seed"],
                workdir=options["workdir"],
                database_url=options["database_url"],
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(figures, indent=2))
