"""Run the background worker: queued imports, linkage and needs runs (see core/jobs.py)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from wraparound.core import jobs


class Command(BaseCommand):
    help = "Run queued background jobs (large imports, linkage, needs) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="run what is queued now, then stop (for cron or a test)",
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between looks at the queue"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kinds = ", ".join(jobs.registered_kinds()) or "none"
        self.stdout.write(f"Wraparound worker: job kinds {kinds}")
        self.stdout.flush()
        # django-tasks-db's worker claims each task with a row lock (skip-locked on
        # PostgreSQL), so several workers may run side by side.
        call_command(
            "db_worker",
            queue_name="default",
            interval=options["interval"],
            batch=options["once"],
            no_startup_delay=True,
            verbosity=options["verbosity"],
        )
