"""`wraparound bench NAME ...`: run one of the capabilities' benchmarks.

Each benchmark is a management command called `bench-NAME` in the app it measures (e.g.
`bench-linkage` in matching); this command lists and dispatches them so operators have one
entry point. Figures go in docs/benchmarks.md with the command that produced them.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import BaseCommand, CommandError, CommandParser

PREFIX = "bench-"


def available() -> dict[str, str]:
    """Benchmark name -> one-line description."""
    found = {}
    for name, app in sorted(get_commands().items()):
        if name.startswith(PREFIX) and app.startswith("wraparound."):
            help_text = load_command_class(app, name).help or ""
            found[name.removeprefix(PREFIX)] = (
                help_text.strip().splitlines()[0] if help_text else ""
            )
    return found


class Command(BaseCommand):
    help = "Run a benchmark (linkage, needs, policy, import, ...); prints JSON figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", nargs="?", help="which benchmark; omit to list them")
        parser.add_argument("rest", nargs="...", help="the benchmark's own options")

    def run_from_argv(self, argv: list[str]) -> None:
        # Pass everything after NAME through untouched, including options such as --households.
        if len(argv) > 2 and not argv[2].startswith("-"):
            name, rest = argv[2], argv[3:]
            try:
                self._dispatch(name, rest)
            except CommandError as error:
                self.stderr.write(f"CommandError: {error}")
                sys.exit(error.returncode)
            return
        super().run_from_argv(argv)

    def _dispatch(self, name: str, rest: list[str]) -> None:
        benchmarks = available()
        if name not in benchmarks:
            known = ", ".join(benchmarks) or "none installed"
            raise CommandError(f"No benchmark called {name!r} (available: {known}).")
        call_command(f"{PREFIX}{name}", *rest)

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("name"):
            self._dispatch(options["name"], list(options.get("rest") or []))
            return
        self.stdout.write("benchmarks:")
        for name, summary in available().items():
            self.stdout.write(f"  {name:<12} {summary}")
