"""`wraparound import`: import one agency extract, or every extract listed in a manifest."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from wraparound.core.models import Agency
from wraparound.records.demo import ensure_partnership_agencies
from wraparound.records.pipeline.mapping import (
    MappingError,
    dump_mapping,
    event_kinds,
    load_mapping_file,
    suggest_mapping,
)
from wraparound.records.services import (
    ImportRejectedError,
    import_extract,
    issue_lines,
    read_for_import,
)


def _total_setter(bar: Any) -> Callable[[int], None]:
    def set_total(total: int) -> None:
        bar.total = total
        bar.refresh()

    return set_total


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # a batch job: page/URL checks are not its concern
    help = "Import an agency extract (CSV or XLSX): all or nothing, and the same file only once."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, help="the extract file")
        parser.add_argument("--agency", help="agency slug, e.g. hartshire-police")
        parser.add_argument("--dataset", help="dataset kind, e.g. incidents")
        parser.add_argument("--mapping", type=Path, help="a mapping YAML file to use")
        parser.add_argument("--encoding", help="the file's encoding, if known (else detected)")
        parser.add_argument(
            "--manifest", type=Path, help="import every extract listed in a synth manifest.json"
        )
        parser.add_argument(
            "--suggest-mapping",
            action="store_true",
            help="print a suggested mapping YAML for PATH (to edit and pass as --mapping); import nothing",
        )
        parser.add_argument(
            "--create-agencies",
            action="store_true",
            help="first create any agency of the synthetic partnership that is missing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["verbosity"] == 0
        if options["manifest"]:
            jobs = self._manifest_jobs(options["manifest"])
        else:
            if not (options["path"] and options["agency"] and options["dataset"]):
                raise CommandError("Give PATH --agency SLUG --dataset KIND, or --manifest FILE.")
            jobs = [(options["path"], options["agency"], options["dataset"], options["encoding"])]
        mapping = None
        if options["mapping"]:
            try:
                mapping = load_mapping_file(options["mapping"])
            except MappingError as exc:
                raise CommandError(str(exc)) from exc
        if options["suggest_mapping"]:
            self._suggest(options)
            return
        if options["create_agencies"]:
            ensure_partnership_agencies()
        failures = 0
        for path, slug, dataset, encoding in tqdm(
            jobs, unit="extract", disable=quiet or len(jobs) == 1
        ):
            agency = Agency.objects.filter(slug=slug).first()
            if agency is None:
                raise CommandError(
                    f"No agency with slug {slug!r}: create it first (wraparound demo loads the partnership)."
                )
            with tqdm(desc=f"{slug}:{dataset}", unit="rows", disable=quiet, leave=False) as bar:
                try:
                    result = import_extract(
                        path=path,
                        agency=agency,
                        dataset_kind=dataset,
                        mapping=mapping,
                        encoding=encoding,
                        progress=bar.update,
                        on_total=_total_setter(bar),
                    )
                except ImportRejectedError as exc:
                    failures += 1
                    self.stderr.write(exc.message)
                    for line in issue_lines(exc.issues):
                        self.stderr.write(line)
                    continue
            self.stdout.write(result.summary())
            for line in issue_lines(result.warnings, limit=10):
                self.stdout.write(line)
        if failures:
            raise CommandError(
                f"{failures} extract(s) were not imported; nothing of them was changed."
            )

    def _suggest(self, options: dict[str, Any]) -> None:
        if not (options["path"] and options["agency"] and options["dataset"]):
            raise CommandError("--suggest-mapping needs PATH --agency SLUG --dataset KIND.")
        try:
            table = read_for_import(options["path"], encoding=options["encoding"])
        except ImportRejectedError as exc:
            raise CommandError(exc.message) from exc
        mapping = suggest_mapping(
            table, agency=options["agency"], dataset=options["dataset"], event_kinds=event_kinds()
        )
        self.stdout.write(dump_mapping(mapping), ending="")

    def _manifest_jobs(self, manifest: Path) -> list[tuple[Path, str, str, str | None]]:
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            return [
                (manifest.parent / e["file"], e["agency_slug"], e["dataset_kind"], None)
                for e in data["extracts"]
            ]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CommandError(f"Cannot read the manifest {manifest}: {exc}") from exc
