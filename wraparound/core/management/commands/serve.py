"""Serve Wraparound with gunicorn, the production WSGI server."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

# gunicorn's own guards on the request head, before Django sees it: a request line, a header
# field and a count of headers beyond these are refused with 400 by gunicorn itself.
LIMIT_REQUEST_LINE = 8190
LIMIT_REQUEST_FIELDS = 100
LIMIT_REQUEST_FIELD_SIZE = 8190


def gunicorn_argv(*, bind: str, workers: int, timeout: int) -> list[str]:
    """The gunicorn command line ``serve`` runs (kept apart so a test can read it)."""
    return [
        sys.executable, "-m", "gunicorn", "wraparound.wsgi:application",
        "--bind", bind, "--workers", str(workers), "--timeout", str(timeout),
        "--graceful-timeout", str(min(timeout, 30)),
        "--limit-request-line", str(LIMIT_REQUEST_LINE),
        "--limit-request-fields", str(LIMIT_REQUEST_FIELDS),
        "--limit-request-field_size", str(LIMIT_REQUEST_FIELD_SIZE),
        "--access-logfile", "-",
    ]  # fmt: skip


class Command(BaseCommand):
    help = "Serve the web application with gunicorn (production WSGI server)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=settings.BIND, help="address:port (WRAPAROUND_BIND)")
        parser.add_argument(
            "--workers",
            type=int,
            default=settings.WEB_WORKERS,
            help="gunicorn worker processes (WRAPAROUND_WEB_WORKERS)",
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=settings.WEB_TIMEOUT,
            help="seconds before a stuck request's worker is replaced (WRAPAROUND_WEB_TIMEOUT)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        argv = gunicorn_argv(
            bind=options["bind"], workers=options["workers"], timeout=options["timeout"]
        )
        self.stdout.write(
            f"Serving Wraparound at http://{options['bind']}/ with {options['workers']} "
            f"workers (Ctrl-C to stop)"
        )
        self.stdout.flush()
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn
