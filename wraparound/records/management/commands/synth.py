"""`wraparound synth`: write a synthetic county's agency extracts and truth tables."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from wraparound.synth import CountyParameters, ParameterError, generate_county


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # a batch job: page/URL checks are not its concern
    help = (
        "Generate a synthetic county (agency extracts, truth tables, manifest.json) into a folder."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--households", type=int, required=True, help="1 to 2,000,000")
        parser.add_argument("--seed", type=int, required=True, help="same seed, same county")
        parser.add_argument("--out", type=Path, required=True, help="output folder")
        parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 3, 31))
        parser.add_argument("--years", type=int, default=3, help="observation window in years")
        parser.add_argument("--at-risk-rate", type=float, default=0.20)
        parser.add_argument("--statutory-support-rate", type=float, default=0.08)
        parser.add_argument(
            "--support-precision",
            type=float,
            default=0.35,
            help="share of statutorily supported children who are at risk",
        )
        parser.add_argument("--early-help-rate", type=float, default=0.06)
        parser.add_argument("--effect-service", default="home-start-hartshire")
        parser.add_argument("--engagement-rate", type=float, default=0.30)
        parser.add_argument(
            "--effect-size",
            type=float,
            default=0.30,
            help="fraction of later need-driven events removed for engaged families",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        if out.exists() and any(out.iterdir()) and not (out / "manifest.json").exists():
            raise CommandError(
                f"{out} exists and is not an earlier synth output; choose an empty folder."
            )
        try:
            params = CountyParameters(
                households=options["households"],
                seed=options["seed"],
                as_of=options["as_of"],
                years=options["years"],
                at_risk_rate=options["at_risk_rate"],
                statutory_support_rate=options["statutory_support_rate"],
                support_precision=options["support_precision"],
                early_help_rate=options["early_help_rate"],
                effect_service=options["effect_service"],
                engagement_rate=options["engagement_rate"],
                effect_size=options["effect_size"],
            )
        except ParameterError as exc:
            raise CommandError(str(exc)) from exc
        with tqdm(
            total=params.households, unit="households", disable=options["verbosity"] == 0
        ) as bar:
            try:
                summary = generate_county(params, out, progress=bar.update)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        extracts = summary.manifest["extracts"]
        rows = sum(e["rows"] for e in extracts)
        self.stdout.write(
            f"Wrote {len(extracts)} extracts ({rows:,} rows) and truth tables for "
            f"{params.households:,} households to {out} (manifest: {out / 'manifest.json'})."
        )
