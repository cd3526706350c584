"""Load an ORUK 3.0 / HSDS 3.0 JSON feed into the directory: all of it or, on any problem, none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wraparound.directory.feed import FeedError, import_feed, read_feed_file


class Command(BaseCommand):
    help = "Import an ORUK 3.0 JSON feed (whole directory, list page or list of services)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the JSON feed to load")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = import_feed(read_feed_file(options["file"]))
        except FeedError as error:
            raise CommandError(f"{error}\nNothing was changed.") from error
        self.stdout.write(summary.describe())
