"""`wraparound bench outcomes --households N`: score proposals and claims against planted truth.

Synthesises a county (which plants the outcome trajectories, ``wraparound.synth.trajectories``)
and scores the outcome rules on it; no database is touched. With ``--through-linkage`` the
trajectories' events go into the agencies' extracts, which are imported and linked by the
product's own commands into a throw-away SQLite database in the work directory, and the rules
read each family's linked records (``wraparound.outcomes.bench_linked``).
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from wraparound.outcomes.bench import score_county
from wraparound.synth.county import generate_county
from wraparound.synth.parameters import CountyParameters


class Command(BaseCommand):
    help = "Outcomes: agreement of data-proposed statuses with planted truth, and claim precision."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--households", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--workdir", type=Path, help="where the county is written (default: a temp dir)"
        )
        parser.add_argument(
            "--through-linkage",
            action="store_true",
            help="import and link the county's extracts and score on the linked records",
        )
        parser.add_argument(
            "--cache", type=Path, help="with --through-linkage: where synthetic counties are kept"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["through_linkage"]:
            self._through_linkage(options)
            return
        params = CountyParameters(households=options["households"], seed=options["seed"])
        with tempfile.TemporaryDirectory() as scratch:
            out = options["workdir"] or Path(scratch)
            started = time.perf_counter()
            generate_county(params, out)
            synth = time.perf_counter() - started
            started = time.perf_counter()
            figures = score_county(out, as_of=params.as_of, seed=params.seed)
            scoring = time.perf_counter() - started
        figures |= {
            "households": params.households,
            "seed": params.seed,
            "timings_s": {"synth": round(synth, 1), "score": round(scoring, 1)},
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "load_average": os.getloadavg(),
            },
        }
        self.stdout.write(json.dumps(figures, indent=2))

    def _through_linkage(self, options: dict[str, Any]) -> None:
        from wraparound.outcomes.bench_linked import run_linked_benchmark

        with tempfile.TemporaryDirectory() as scratch:
            started = time.perf_counter()
            figures = run_linked_benchmark(
                households=options["households"],
                seed=options["seed"],
                workdir=options["workdir"] or Path(scratch),
                cache=options["cache"],
            )
        figures["wall_seconds"] = round(time.perf_counter() - started, 1)
        figures["machine"] |= {"load_average": os.getloadavg()}
        self.stdout.write(json.dumps(figures, indent=2))
