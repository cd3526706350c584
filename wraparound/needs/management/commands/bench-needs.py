"""`wraparound bench needs --households N`: synth, import, link, needs; accuracy and timing.

Run it against a scratch database (``WRAPAROUND_VAR_DIR=/tmp/bench-needs``): it migrates,
loads the demo partnership's agencies and imports a whole synthetic county.
"""

from __future__ import annotations

import io
import json
import platform
import tempfile
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

import polars as pl
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from wraparound.needs import bench as benchmark
from wraparound.needs import sources
from wraparound.needs.indicators import load_catalogue
from wraparound.needs.pipeline import identify_needs
from wraparound.needs.runs import reference_dates, run_needs
from wraparound.synth.parameters import CountyParameters


class Command(BaseCommand):
    help = (
        "Needs identification: recall/precision against the synthetic truth, and `needs` wall time."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--households", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--workdir", type=Path, help="where the county is written (default: a temp dir)"
        )
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="reuse a county and import already in the workdir/database",
        )

    def _timed(
        self, label: str, timings: dict[str, float], func: Any, *args: Any, **kwargs: Any
    ) -> Any:
        started = time.perf_counter()
        result = func(*args, **kwargs)
        timings[label] = round(time.perf_counter() - started, 2)
        self.stderr.write(f"{label}: {timings[label]} s")
        return result

    def handle(self, *args: Any, **options: Any) -> None:
        from wraparound.core.demo import load_agencies

        workdir = options["workdir"] or Path(tempfile.mkdtemp(prefix="bench-needs-"))
        county = workdir / "county"
        timings: dict[str, float] = {}
        call_command("migrate", verbosity=0)
        load_agencies()
        if not (options["reuse"] and (county / "manifest.json").exists()):
            self._timed("synth_s", timings, call_command, "synth", households=options["households"],
                        seed=options["seed"], out=county, verbosity=0, stdout=io.StringIO())  # fmt: skip
            self._timed("import_s", timings, call_command, "import", manifest=county / "manifest.json", verbosity=0,
                        stdout=io.StringIO())  # fmt: skip
        if "link" in get_commands():
            self._timed("link_s", timings, call_command, "link", verbosity=0, stdout=io.StringIO())
            membership_source = sources.MEMBERSHIP_SOURCE
        else:
            membership_source = benchmark.TRUTH_MEMBERSHIP_SOURCE
        as_of = CountyParameters(households=1, seed=0).as_of

        def needs_step() -> tuple[pl.DataFrame, pl.DataFrame, Any]:
            events = sources.events_frame()
            if membership_source == sources.MEMBERSHIP_SOURCE:
                membership = sources.membership_frame()
            else:
                membership = benchmark.truth_membership(county)
            runs = run_needs(events=events, membership=membership, dates=reference_dates(as_of, 1),
                             membership_source=membership_source)  # fmt: skip
            return events, membership, runs[-1]

        events, membership, run = self._timed("needs_s", timings, needs_step)
        result = self._timed(
            "needs_pipeline_only_s", timings, identify_needs, events, membership,
            reference_date=as_of, catalogue=load_catalogue(),
        )  # fmt: skip
        if result.profiles.height == 0:
            raise CommandError("No families were profiled: did the import produce records?")
        figures = {
            "benchmark": "needs",
            "households": options["households"],
            "seed": options["seed"],
            "reference_date": as_of.isoformat(),
            "membership": membership_source,
            "machine": f"{platform.machine()}, 2 cores / 24 GiB (shared)",
            "events": result.stats["events"],
            "events_attributed": result.stats["events_attributed"],
            "families_profiled": result.stats["families"],
            "flags": result.stats["flags"],
            "timings": timings,
            "accuracy": benchmark.accuracy(
                profiles=result.profiles, flags=result.flags, membership=membership, county=county
            ),
            "needs_run": run.pk,
        }
        self.stdout.write(json.dumps(figures, indent=2, default=str))
