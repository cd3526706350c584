"""`wraparound bench policy`: policy decisions per second and the gate's cost on a page."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from wraparound.sharing.bench import run


class Command(BaseCommand):
    help = "Policy decisions per second, and decide+audit overhead on a 200-event family read."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--decisions", type=int, default=500)
        parser.add_argument("--events", type=int, default=200)
        parser.add_argument("--repeat", type=int, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        with tqdm(total=options["decisions"], unit="decision", desc="Timing decide()") as bar:
            results = run(
                decisions=options["decisions"],
                events=options["events"],
                repeat=options["repeat"],
                progress=bar.update,
            )
        self.stdout.write(json.dumps(results, indent=2))
