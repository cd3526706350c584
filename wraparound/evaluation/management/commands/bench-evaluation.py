"""`wraparound bench evaluation --households N`: synth, import, link, evaluate; against truth.

Run it against a scratch database (``WRAPAROUND_VAR_DIR=/tmp/bench-evaluation``): it
migrates, loads the demo partnership's agencies, imports a whole synthetic county and links
it. Then it drafts and locks the two demo plans (one per planted service) and runs the
pipeline on the linked data. ``--stand-in truth`` skips import and linkage and reads the
truth's events and families instead (the output says so).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import platform
import resource
import tempfile
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from wraparound.evaluation import services
from wraparound.evaluation.catalogues import demo_plans
from wraparound.evaluation.pipeline import evaluate
from wraparound.evaluation.truth import true_effects, truth_tables
from wraparound.synth.parameters import CountyParameters

SERVICE_OF_PLAN = {
    "Edge of Care and Reunification Team": "edge_of_care",
    "Young Victims Service": "young_victims",
}


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def checks(planted: dict[str, Any], truth: dict[str, Any]) -> dict[str, bool]:
    """The acceptance checks for one planted service's primary outcome."""
    outcome = planted["outcomes"][0]
    matched, naive = outcome["matched"], outcome["naive"]
    true = truth["risk_difference"]
    return {
        "balance_met": all(r["balanced"] for r in planted["balance"]),
        "truth_inside_matched_ci": matched["ci_low"] <= true <= matched["ci_high"],
        "naive_outside_matched_ci": not (
            matched["ci_low"] <= naive["estimate"] <= matched["ci_high"]
        ),
        "truth_outside_naive_ci": not (naive["ci_low"] <= true <= naive["ci_high"]),
        "ci_covers_zero": matched["ci_low"] <= 0 <= matched["ci_high"],
    }


class Command(BaseCommand):
    help = "Evaluation: planted effects recovered by matching, naive estimate misled; timing."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--households", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--workdir", type=Path)
        parser.add_argument(
            "--reuse", action="store_true", help="reuse the county and import in the workdir"
        )
        parser.add_argument(
            "--stand-in", choices=["truth"], help="skip import/link; read the truth"
        )

    def _timed(
        self, label: str, timings: dict[str, Any], func: Any, *args: Any, **kwargs: Any
    ) -> Any:
        started = time.perf_counter()
        result = func(*args, **kwargs)
        timings[label] = round(time.perf_counter() - started, 2)
        timings[f"{label}_peak_rss_mb"] = _peak_mb()
        self.stderr.write(f"{label}: {timings[label]} s (peak RSS so far {_peak_mb()} MB)")
        return result

    def handle(self, *args: Any, **options: Any) -> None:
        from wraparound.core.demo import load_agencies
        from wraparound.directory.models import Service

        workdir = options["workdir"] or Path(tempfile.mkdtemp(prefix="bench-evaluation-"))
        county = workdir / "county"
        timings: dict[str, Any] = {}
        call_command("migrate", verbosity=0)
        load_agencies()
        if not (options["reuse"] and (county / "manifest.json").exists()):
            self._timed("synth_s", timings, call_command, "synth", households=options["households"],
                        seed=options["seed"], out=county, verbosity=0, stdout=io.StringIO())  # fmt: skip
            if not options["stand_in"]:
                self._timed("import_s", timings, call_command, "import", manifest=county / "manifest.json",
                            verbosity=0, stdout=io.StringIO())  # fmt: skip
        if options["stand_in"]:
            inputs = services.RunInputs(
                *truth_tables(county), membership_source="truth (benchmark stand-in)"
            )
        else:
            if "link" not in get_commands():
                raise CommandError(
                    "No `link` command: the matching app is needed (or use --stand-in truth)."
                )
            self._timed("link_s", timings, call_command, "link", verbosity=0, stdout=io.StringIO())
            inputs = self._timed("read_inputs_s", timings, services.load_inputs)
        as_of = CountyParameters(households=1, seed=0).as_of
        truth = true_effects(county)
        results: dict[str, Any] = {}
        last_event = inputs.events["event_date"].max()
        for entry in demo_plans():
            _service, _ = Service.objects.get_or_create(name=entry["directory_service"])
            plan = services.lock_plan(
                user=None, plan=services.plan_from_entry(user=None, entry=entry, as_of=as_of)
            )
            key = SERVICE_OF_PLAN[entry["directory_service"]]
            result = self._timed(f"evaluate_{key}_s", timings, evaluate, inputs.events, inputs.membership,
                                 inputs.deprivation, services.plan_spec(plan), last_event_date=last_event)  # fmt: skip
            primary = result["outcomes"][0] if result["outcomes"] else {}
            results[key] = {
                "truth": truth.get(key),
                "families": result["families"],
                "withheld": result["withheld"],
                "reasons": result["reasons"],
                "max_abs_smd_before": max(abs(r["smd_before"]) for r in result["balance"]),
                "max_abs_smd_after": max(abs(r["smd_after"]) for r in result["balance"]),
                "primary_outcome": primary.get("key"),
                "naive": primary.get("naive"),
                "matched": primary.get("matched"),
                "doubly_robust": primary.get("doubly_robust"),
                "e_value": primary.get("e_value"),
                "checks": checks(result, truth[key])
                if primary.get("matched") and key in truth
                else None,
            }
        figures = {
            "benchmark": "evaluation",
            "households": options["households"],
            "seed": options["seed"],
            "as_of": as_of.isoformat(),
            "membership": inputs.membership_source,
            "events": inputs.events.height,
            "machine": f"{platform.machine()}, 2 cores / 24 GiB (shared)",
            "load_average": [round(x, 2) for x in __import__("os").getloadavg()],
            "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "timings": timings,
            "services": results,
        }
        self.stdout.write(json.dumps(figures, indent=2, default=str))
