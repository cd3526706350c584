"""The shape of a clock command (``referrals-tick``, ``casework-tick``): run a tick at now, or
``--at`` an ISO date-time to catch up or test, and print what it did in one line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from wraparound.core.working_days import WorkingDaysError


class ClockCommand(BaseCommand):
    """Subclasses name the clock (``clock``, for the printed line) and its ``tick``."""

    clock = "Clock"

    def tick(self, now: dt.datetime) -> Any:
        """Run the clock at ``now``; returns a result with ``describe()``."""
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--at",
            help="Run the clock as if it were this ISO date-time (for catching up or testing).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options.get("at"):
            try:
                now = dt.datetime.fromisoformat(options["at"])
            except ValueError as error:
                raise CommandError("--at takes an ISO date-time, like 2026-12-02T09:00") from error
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        try:
            result = self.tick(now)
        except WorkingDaysError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{self.clock} at {timezone.localtime(now):%Y-%m-%d %H:%M}: {result.describe()}"
        )


def clock_command(clock: str, help_text: str, tick: Callable[..., Any]) -> type[ClockCommand]:
    """A management command class running ``tick(now=...)``."""

    class Command(ClockCommand):
        help = help_text

        def tick(self, now: dt.datetime) -> Any:
            return tick(now=now)

    Command.clock = clock
    return Command
