"""`wraparound needs`: identify every family's needs from the imported and linked records."""

from __future__ import annotations

import datetime as dt
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from wraparound.needs import sources
from wraparound.needs.indicators import IndicatorCatalogueError, load_catalogue
from wraparound.needs.pipeline import NeedsInputError
from wraparound.needs.runs import default_reference_date, reference_dates, run_needs


class Command(BaseCommand):
    help = (
        "Identify needs against the Supporting Families outcomes for every family, with the "
        "evidence for each flag, and store the profiles the targeting report reads."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            help="reference date YYYY-MM-DD (default: the median of the sources' latest event dates)",
        )
        parser.add_argument(
            "--quarters",
            type=int,
            default=1,
            help="also compute the ends of this many quarters back, for the trend (default 1)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["quarters"] < 1 or options["quarters"] > 20:
            raise CommandError("--quarters must be between 1 and 20.")
        started = time.perf_counter()
        try:
            load_catalogue()
            events = sources.events_frame()
            membership = sources.membership_frame()
        except (IndicatorCatalogueError, sources.NeedsSourceError) as error:
            raise CommandError(str(error)) from error
        if membership.is_empty():
            raise CommandError("No family memberships yet: run `wraparound link` first.")
        as_of = options["as_of"] or default_reference_date(events)
        dates = reference_dates(as_of, options["quarters"])
        quiet = options["verbosity"] == 0
        # Rows stored (profiles and flags) across every reference date; the flag count is only
        # known once each date is computed, so the bar counts up without a total.
        with tqdm(desc=f"needs ({len(dates)} date(s))", unit="rows", disable=quiet) as bar:
            try:
                runs = run_needs(
                    events=events,
                    membership=membership,
                    dates=dates,
                    membership_source=sources.MEMBERSHIP_SOURCE,
                    progress=bar.update,
                )
            except NeedsInputError as error:
                raise CommandError(str(error)) from error
        latest = runs[-1]
        self.stdout.write(
            f"Needs as of {latest.reference_date}: {latest.families:,} families, "
            f"{latest.flags:,} flags, {latest.families_at_risk:,} at risk, "
            f"{latest.families_supported:,} supported; {latest.events_attributed:,} of "
            f"{latest.events:,} events attributed to a family "
            f"({len(runs)} run(s), {time.perf_counter() - started:.1f} s)."
        )
