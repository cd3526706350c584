"""`wraparound bench outcomes --households N`: score proposals and claims against planted truth.

Synthesises a county (which plants the outcome trajectories, ``wraparound.synth.trajectories``)
and scores the outcome rules on it; no database is touched.
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

    def handle(self, *args: Any, **options: Any) -> None:
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
