"""Working days in England and Wales: the clocks casework runs on (referral decisions,
the 45-working-day assessment, the 15-working-day transfer-in conference).

Statutory guidance counts working days, so a clock that ignores bank holidays is wrong four
weeks a year (Christmas, Easter). The bank holidays are data, not code: a YAML catalogue
shipped in ``core/catalogues`` (GOV.UK's England and Wales list), or a file the operator points
``WRAPAROUND_BANK_HOLIDAYS_FILE`` at, in the same YAML shape or in GOV.UK's own
``bank-holidays.json`` shape, so a newly announced day (a coronation, a state funeral) is an
edit to a file rather than a release.

Conventions, used by every clock:

- A working day is Monday to Friday and not a bank holiday.
- ``add_working_days(d, n)`` is the date ``n`` working days after ``d``; ``d`` itself is never
  counted, so a referral made on Friday with one working day to decide is due on Monday (or
  Tuesday after an Easter Monday).
- ``due_at(start, n)`` is the end of that day, local time: the moment the clock runs out.

Asking about a year the data does not cover raises ``WorkingDaysError`` rather than guessing:
a silently wrong deadline is worse than a clear error. ``coverage_ends_soon()`` lets a system
check warn well before that happens.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.conf import settings
from django.utils import timezone

DEFAULT_FILE = (
    Path(__file__).resolve().parent / "catalogues" / "bank_holidays_england_and_wales.yaml"
)
GOVUK_DIVISION = "england-and-wales"
MAX_SPAN_DAYS = 366 * 5  # no clock runs five years: a guard against a runaway loop


class WorkingDaysError(ValueError):
    """The bank-holiday data cannot answer (bad file, or a year it does not cover)."""


@dataclass(frozen=True)
class BankHolidays:
    """The days off on weekdays, and the years the list is known to be complete for."""

    days: dict[dt.date, str]
    first_year: int
    last_year: int
    source: str

    def covers(self, day: dt.date) -> bool:
        return self.first_year <= day.year <= self.last_year

    def check(self, day: dt.date) -> None:
        if not self.covers(day):
            raise WorkingDaysError(
                f"The bank holidays in {self.source} cover {self.first_year} to {self.last_year}, "
                f"not {day.year}: add that year's days (from GOV.UK) to the file."
            )


def _parse(data: object, source: str) -> BankHolidays:
    """Read our YAML shape or GOV.UK's bank-holidays.json shape."""
    if isinstance(data, dict) and GOVUK_DIVISION in data:  # GOV.UK's JSON
        data = data[GOVUK_DIVISION]
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise WorkingDaysError(f"{source}: expected a list of events with a date and a title.")
    days: dict[dt.date, str] = {}
    for event in data["events"]:
        try:
            raw = event["date"]
            day = raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
        except (KeyError, TypeError, ValueError) as error:
            raise WorkingDaysError(f"{source}: event {event!r} has no valid date.") from error
        days[day] = str(event.get("title", "Bank holiday"))
    if not days:
        raise WorkingDaysError(f"{source}: no bank holidays listed.")
    first = int(data.get("first_year") or min(days).year)
    last = int(data.get("last_year") or max(days).year)
    return BankHolidays(days, first, last, source)


@cache
def bank_holidays() -> BankHolidays:
    """The bank holidays in force, loaded once per process."""
    path = Path(getattr(settings, "BANK_HOLIDAYS_FILE", "") or DEFAULT_FILE)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise WorkingDaysError(
            f"Cannot read bank holidays from {path}: {error.strerror}."
        ) from error
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise WorkingDaysError(f"{path} is not valid {path.suffix[1:].upper()}: {error}") from error
    return _parse(data, path.name)


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not a bank holiday in England and Wales."""
    holidays = bank_holidays()
    holidays.check(day)
    return day.weekday() < 5 and day not in holidays.days


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself is not counted).

    ``days == 0`` gives ``start`` when it is a working day, else the next working day.
    """
    if days < 0:
        raise WorkingDaysError("Count working days forwards: the number must be 0 or more.")
    day = start
    if days == 0:
        while not is_working_day(day):
            day += dt.timedelta(days=1)
        return day
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if (day - start).days > MAX_SPAN_DAYS:
            raise WorkingDaysError(f"{days} working days is more than five years.")
        if is_working_day(day):
            counted += 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``; negative when ``end`` is earlier.

    ``working_days_between(d, add_working_days(d, n)) == n`` for every ``n > 0``.
    """
    if end < start:
        return -working_days_between(end, start)
    if (end - start).days > MAX_SPAN_DAYS:
        raise WorkingDaysError("Working days are counted over at most five years.")
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_working_day(day)
    return count


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of ``day`` in the service's time zone (midnight that starts the next)."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def due_at(start: dt.datetime, days: int) -> dt.datetime:
    """When a clock of ``days`` working days started at ``start`` runs out."""
    return end_of_day(add_working_days(timezone.localdate(start), days))


def coverage_ends_soon(today: dt.date | None = None, *, within_years: int = 1) -> bool:
    """True when the data stops covering years within ``within_years`` of ``today``."""
    today = today or timezone.localdate()
    return bank_holidays().last_year < today.year + within_years


__all__ = [
    "BankHolidays",
    "WorkingDaysError",
    "add_working_days",
    "bank_holidays",
    "coverage_ends_soon",
    "due_at",
    "end_of_day",
    "is_working_day",
    "working_days_between",
]
