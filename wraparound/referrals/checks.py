"""A system check: warn a year before the bank-holiday list stops covering the clocks."""

from __future__ import annotations

from typing import Any

from django.core.checks import Warning, register

from wraparound.core import working_days


@register()
def bank_holidays_cover_next_year(**_: Any) -> list[Warning]:
    try:
        ends_soon = working_days.coverage_ends_soon()
        last = working_days.bank_holidays().last_year
    except working_days.WorkingDaysError as error:
        return [Warning(str(error), id="referrals.W002")]
    if ends_soon:
        return [
            Warning(
                f"The bank holidays for working-day clocks end in {last}.",
                hint="Add next year's days to the file WRAPAROUND_BANK_HOLIDAYS_FILE points at.",
                id="referrals.W001",
            )
        ]
    return []
