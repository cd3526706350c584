"""`wraparound match-files`: link any CSV files with the Wraparound linkage engine."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from wraparound.matching.pipeline import LinkageError
from wraparound.matching.pipeline.files import (
    MAPPING_KEY_HELP,
    MODES,
    load_mapping,
    match_files,
    run_summary,
    write_results,
)

STAGES = 6  # reading, standardising, counting, training, probing, scoring


def mapping_help() -> str:
    """The MAP.toml keys, for the end of --help."""
    width = max(len(key) for key in MAPPING_KEY_HELP)
    lines = [f"  {key.ljust(width)}  {text}" for key, text in MAPPING_KEY_HELP.items()]
    return (
        "MAP.toml keys (docs/matching.md has a full example; any field key may name a list "
        "of columns, joined with spaces):\n" + "\n".join(lines)
    )


class Command(BaseCommand):
    help = (
        "Match people across CSV files (dedupe within, link across) using a MAP.toml mapping. "
        "Writes pairs.csv (every scored pair above the floor, with its decision and reason), "
        "clusters.csv and summary.json to --out."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        parser.epilog = mapping_help()
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--mapping", required=True, type=Path, help="MAP.toml (keys below; docs/matching.md)"
        )
        parser.add_argument(
            "--out", required=True, type=Path, help="directory for pairs.csv, clusters.csv"
        )
        parser.add_argument("--mode", choices=MODES, help="overrides [settings] mode")
        parser.add_argument("--match-threshold", type=float, help="overrides the mapping's")
        parser.add_argument("--review-threshold", type=float, help="overrides the mapping's")
        parser.add_argument("--pairs-floor", type=float, help="overrides the mapping's")
        parser.add_argument("--max-comparisons", type=int, help="overrides the mapping's")
        parser.add_argument(
            "--json", action="store_true", help="print the run summary as JSON instead of text"
        )
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        bar = tqdm(total=STAGES, unit="stage", disable=verbosity == 0 or options["json"])

        def progress(message: str) -> None:
            bar.set_description(message)
            bar.update(1)

        try:
            mapping = load_mapping(options["mapping"]).with_overrides(
                mode=options["mode"],
                match_threshold=options["match_threshold"],
                review_threshold=options["review_threshold"],
                pairs_floor=options["pairs_floor"],
                max_comparisons=options["max_comparisons"],
            )
            records, result = match_files(options["files"], mapping, progress=progress)
            paths = write_results(records, result, options["out"], options["files"])
        except LinkageError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        summary = run_summary(records, result, options["files"])
        if options["json"]:
            self.stdout.write(json.dumps(summary, indent=1, default=str))
            return
        self._write_summary(summary, paths, verbosity)

    def _write_summary(
        self, summary: dict[str, Any], paths: dict[str, Path], verbosity: int
    ) -> None:
        decisions = summary["pairs"].get("decisions", {})
        self.stdout.write(
            f"{summary['records']:,} records from {len(summary['files'])} file(s) -> "
            f"{summary['people']:,} people; {summary['comparisons']:,} comparisons; pairs: "
            f"{decisions.get('joined', 0):,} joined, "
            f"{decisions.get('held_for_review', 0):,} held for review "
            f"({summary['review_questions']:,} questions), "
            f"{decisions.get('below_threshold', 0):,} below threshold."
        )
        ceiling = summary["blocking"].get("estimated_recall_ceiling")
        if ceiling is not None:
            self.stdout.write(f"Blocking reaches an estimated {ceiling:.1%} of likely matches.")
        failures = summary["parse_failures"]
        if failures:
            self.stdout.write("Values that failed parsing (counted, none dropped silently):")
            for row in failures:
                self.stdout.write(
                    f"  {row['source']}: {row['count']:,} {row['field']}: {row['problem']}"
                )
        else:
            self.stdout.write("No values failed parsing.")
        if verbosity >= 2:
            for warning in summary["warnings"]:
                self.stdout.write(f"note: {warning}")
            for rule in summary["blocking"].get("rules", []):
                self.stdout.write(f"  rule {rule['rule']}: {rule['comparisons']:,} comparisons")
            timings = ", ".join(f"{k} {v}s" for k, v in summary["timings_seconds"].items())
            self.stdout.write(f"Timings: {timings}")
        self.stdout.write(f"Wrote {paths['pairs']}, {paths['clusters']} and {paths['summary']}")
