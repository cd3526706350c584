"""`wraparound match-files`: link any CSV files with the Wraparound linkage engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wraparound.matching.pipeline import LinkageError
from wraparound.matching.pipeline.files import load_mapping, match_files, write_results


class Command(BaseCommand):
    help = "Match people across CSV files (dedupe within, link across) using a MAP.toml mapping."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--mapping", required=True, type=Path, help="MAP.toml (see docs/matching.md)"
        )
        parser.add_argument(
            "--out", required=True, type=Path, help="directory for pairs.csv, clusters.csv"
        )
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            mapping = load_mapping(options["mapping"])
            records, result = match_files(options["files"], mapping)
            pairs_path, clusters_path = write_results(records, result, options["out"])
        except LinkageError as exc:
            raise CommandError(str(exc)) from exc
        people = result.clusters["cluster_id"].n_unique()
        for warning in result.warnings:
            self.stderr.write(f"note: {warning}")
        self.stdout.write(
            f"{records.height} records from {len(options['files'])} file(s) -> {people} people; "
            f"{result.pairs.height} scored pairs ({result.review_pairs.height} uncertain), "
            f"{result.comparison_count} comparisons.\n"
            f"Wrote {pairs_path} and {clusters_path}"
        )
