"""`wraparound report targeting --format csv|json --user NAME`: the suppressed targeting report.

Exports go through the sharing gate's aggregate check as the named user, so every export is
in the audit trail and a user without a service-planning agreement gets nothing.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from wraparound.core.models import User
from wraparound.needs import reports
from wraparound.sharing.models import AuditAction

REPORTS = ("targeting",)


class Command(BaseCommand):
    help = "Export an aggregate report (targeting) as CSV or JSON, audited as the given user."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("name", choices=REPORTS, help="which report")
        parser.add_argument("--format", choices=("csv", "json"), default="csv")
        parser.add_argument("--user", required=True, help="username the export is made as")
        parser.add_argument("--output", type=Path, help="file to write (default: standard output)")
        parser.add_argument(
            "--threshold", type=int, help="suppress counts below this (default: settings, 5)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}.")
        if options["threshold"] is not None and options["threshold"] < 1:
            raise CommandError("--threshold must be 1 or more.")
        try:
            report = reports.release_targeting_report(
                user=user, action=AuditAction.EXPORT, threshold=options["threshold"]
            )
        except (reports.ReportRefusedError, reports.NoNeedsRunError) as problem:
            raise CommandError(f"The report was not produced: {problem}") from problem
        body = reports.as_csv(report) if options["format"] == "csv" else reports.as_json(report)
        if options["output"]:
            options["output"].write_text(body, encoding="utf-8")
            self.stderr.write(f"Wrote {options['output']} ({len(body):,} bytes).")
        else:
            self.stdout.write(body, ending="")
