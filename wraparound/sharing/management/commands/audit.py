"""`wraparound audit verify`: check the whole audit chain and name the first broken entry."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from wraparound.sharing.audit import checkpoint_path, verify_stored_chain
from wraparound.sharing.models import AuditEntry


class Command(BaseCommand):
    help = (
        "Audit trail tools: `verify` checks every entry's hash and link and the signed "
        "checkpoint, then moves the checkpoint to the head (exit 1 if broken)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"], help="verify: check the whole chain")
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        total = AuditEntry.objects.count()
        with tqdm(
            total=total, unit="entry", disable=options["no_progress"], desc="Verifying audit chain"
        ) as bar:
            report = verify_stored_chain(progress=bar.update, write=True)
        if report.ok:
            self.stdout.write(
                f"Audit chain intact: {report.checked} entries verified; "
                f"head hash {report.last_hash}. The signed checkpoint {checkpoint_path()} now "
                "records it; keep a copy of that file outside this server too."
            )
            return
        where = (
            f"at entry {report.first_broken_sequence}"
            if report.first_broken_sequence is not None
            else "(checkpoint)"
        )
        self.stderr.write(
            f"Audit chain BROKEN {where}: {report.problem}. "
            f"{report.checked} entries before it verified."
        )
        raise SystemExit(1)
