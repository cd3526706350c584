"""Working-day arithmetic for statutory clocks (England and Wales bank holidays as data).

A working day is Monday to Friday and not a bank holiday. Dates outside the years the
holiday list covers are refused, so a clock never silently counts a holiday as working.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import yaml

BANK_HOLIDAYS = Path(__file__).resolve().parent / "catalogues" / "bank_holidays.yaml"


class WorkingDaysError(Exception):
    """A date is outside the years whose bank holidays are known."""


@cache
def _calendar() -> tuple[dt.date, dt.date, frozenset[dt.date]]:
    raw = yaml.safe_load(BANK_HOLIDAYS.read_text(encoding="utf-8"))
    covers = raw["covers"]
    return covers["first"], covers["last"], frozenset(raw["england_and_wales"])


def _check(day: dt.date) -> None:
    first, last, _ = _calendar()
    if not first <= day <= last:
        raise WorkingDaysError(
            f"Bank holidays are known from {first} to {last}; {day} is outside: "
            f"add its year to {BANK_HOLIDAYS.name}."
        )


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday, and not an England and Wales bank holiday."""
    _check(day)
    return day.weekday() < 5 and day not in _calendar()[2]


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself is day 0)."""
    if days < 0:
        raise ValueError("Count forwards: days must be zero or more.")
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    return sum(
        1 for n in range(1, (end - start).days + 1) if is_working_day(start + dt.timedelta(days=n))
    )
