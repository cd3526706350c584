"""Set up and run the whole product on the embedded default with a demo partnership."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from wraparound.core.demo import load_demo_partnership


class Command(BaseCommand):
    help = "Migrate, load the demo partnership (agencies, one sign-in per role) and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="set up only, do not serve")
        parser.add_argument("--bind", default=settings.BIND)
        parser.add_argument("--households", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        summary = load_demo_partnership(
            households=options["households"], seed=options["seed"], stdout=self.stdout
        )
        self.stdout.write(self.style.SUCCESS("\nDemo sign-ins (username / password):"))
        for line in summary.sign_in_table():
            self.stdout.write(line)
        if not options["no_serve"]:
            # The worker runs queued work (large imports, linkage, needs) beside the web
            # server; it is in the same process group, so Ctrl-C stops both.
            worker = [sys.executable, "-m", "wraparound.cli", "worker", "--verbosity", "0"]
            subprocess.Popen(worker)  # our own command, no shell
            self.stdout.write("Started the background worker (wraparound worker).")
            call_command("serve", bind=options["bind"])
