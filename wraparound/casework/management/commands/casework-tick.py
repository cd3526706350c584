"""`wraparound casework-tick`: tell people about overdue actions, late assessments and reviews due."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from wraparound.casework.clock import tick
from wraparound.core.working_days import WorkingDaysError


class Command(BaseCommand):
    help = "Tell owners and leads about overdue plan actions, late assessments and reviews due (once each)."

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
            result = tick(now=now)
        except WorkingDaysError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Casework clock at {timezone.localtime(now):%Y-%m-%d %H:%M}: {result.describe()}"
        )
