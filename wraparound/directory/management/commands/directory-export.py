"""Write the whole directory as one ORUK 3.0 JSON feed another partnership can import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wraparound.directory.feed import export_feed


class Command(BaseCommand):
    help = "Export the directory as an ORUK 3.0 JSON feed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True, help="file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        if not out.parent.is_dir():
            raise CommandError(f"Folder {out.parent} does not exist: create it or choose another.")
        feed = export_feed()
        out.write_text(json.dumps(feed, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        self.stdout.write(
            f"Wrote {len(feed['services'])} services, {len(feed['organizations'])} organisations "
            f"and {len(feed['taxonomies'])} taxonomies to {out}."
        )
