"""Working days in England and Wales: weekends and bank holidays never count."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wraparound.core import working_days as wd

pytestmark = pytest.mark.pipeline

# GOV.UK's England and Wales list (https://www.gov.uk/bank-holidays.json), typed in by hand.
GOVUK_2024_TO_2027 = {
    "2024-01-01", "2024-03-29", "2024-04-01", "2024-05-06", "2024-05-27", "2024-08-26",
    "2024-12-25", "2024-12-26",
    "2025-01-01", "2025-04-18", "2025-04-21", "2025-05-05", "2025-05-26", "2025-08-25",
    "2025-12-25", "2025-12-26",
    "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31",
    "2026-12-25", "2026-12-28",
    "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30",
    "2027-12-27", "2027-12-28",
}  # fmt: skip
dates = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2039, 12, 31))


def test_the_shipped_list_matches_govuk_for_2024_to_2027() -> None:
    listed = {d.isoformat() for d in wd.bank_holidays().days if 2024 <= d.year <= 2027}
    assert listed == GOVUK_2024_TO_2027


def test_one_off_bank_holidays_are_in_the_list() -> None:
    days = wd.bank_holidays().days
    assert dt.date(2022, 9, 19) in days  # state funeral of Queen Elizabeth II
    assert dt.date(2023, 5, 8) in days  # coronation of King Charles III


def test_an_urgent_referral_on_christmas_eve_2026_is_due_on_the_29th() -> None:
    # Thu 24 Dec -> Fri 25 (Christmas), Sat, Sun, Mon 28 (Boxing Day substitute) -> Tue 29.
    assert wd.add_working_days(dt.date(2026, 12, 24), 1) == dt.date(2026, 12, 29)


def test_friday_plus_one_working_day_is_monday_and_tuesday_after_easter_monday() -> None:
    assert wd.add_working_days(dt.date(2026, 11, 27), 1) == dt.date(2026, 11, 30)
    assert wd.add_working_days(dt.date(2026, 4, 2), 1) == dt.date(2026, 4, 7)


def test_45_working_days_from_1_december_2026_lands_on_5_february_2027() -> None:
    # Counted by hand: 20 in December after the 1st (Christmas and the Boxing Day substitute
    # are off), 20 in January (the 1st is off), then 1 to 5 February.
    assert wd.add_working_days(dt.date(2026, 12, 1), 45) == dt.date(2027, 2, 5)


def test_zero_days_is_the_same_day_or_the_next_working_day() -> None:
    assert wd.add_working_days(dt.date(2026, 12, 1), 0) == dt.date(2026, 12, 1)
    assert wd.add_working_days(dt.date(2026, 12, 25), 0) == dt.date(2026, 12, 29)


def test_due_at_is_the_end_of_the_working_day_in_local_time() -> None:
    from django.utils import timezone

    start = timezone.make_aware(dt.datetime(2026, 12, 24, 16, 30))
    due = wd.due_at(start, 1)
    assert timezone.localtime(due) == timezone.make_aware(dt.datetime(2026, 12, 30, 0, 0))


@given(dates, st.integers(min_value=1, max_value=60))
def test_adding_n_working_days_lands_on_a_working_day_n_working_days_later(
    start: dt.date, n: int
) -> None:
    end = wd.add_working_days(start, n)
    assert wd.is_working_day(end)
    assert end.weekday() < 5
    assert end not in wd.bank_holidays().days
    assert wd.working_days_between(start, end) == n
    assert wd.working_days_between(end, start) == -n


@given(dates, st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=40))
def test_working_days_add_up(start: dt.date, a: int, b: int) -> None:
    if a == 0 and not wd.is_working_day(start):
        return  # 0 moves a non-working start forward, so the sum rule starts from a working day
    assert wd.add_working_days(wd.add_working_days(start, a), b) == wd.add_working_days(
        start, a + b
    )


@given(dates, st.integers(min_value=1, max_value=30))
def test_n_working_days_take_at_least_n_calendar_days(start: dt.date, n: int) -> None:
    assert (wd.add_working_days(start, n) - start).days >= n


def test_a_year_the_data_does_not_cover_is_refused_with_a_reason() -> None:
    with pytest.raises(wd.WorkingDaysError, match="cover 2015 to 2040"):
        wd.is_working_day(dt.date(2041, 1, 2))


def test_negative_counts_are_refused() -> None:
    with pytest.raises(wd.WorkingDaysError):
        wd.add_working_days(dt.date(2026, 1, 5), -1)


def test_the_operator_can_point_at_govuk_json(tmp_path: Path, settings) -> None:
    path = tmp_path / "bank-holidays.json"
    path.write_text(
        json.dumps(
            {
                "england-and-wales": {
                    "division": "england-and-wales",
                    "events": [
                        {"title": "New bank holiday", "date": "2026-12-02", "notes": ""},
                        {"title": "Christmas Day", "date": "2026-12-25", "notes": ""},
                    ],
                },
                "scotland": {"division": "scotland", "events": []},
            }
        )
    )
    settings.BANK_HOLIDAYS_FILE = str(path)
    wd.bank_holidays.cache_clear()
    try:
        assert not wd.is_working_day(dt.date(2026, 12, 2))
        assert wd.add_working_days(dt.date(2026, 12, 1), 1) == dt.date(2026, 12, 3)
    finally:
        wd.bank_holidays.cache_clear()


def test_a_broken_file_is_a_clear_error(tmp_path: Path, settings) -> None:
    path = tmp_path / "holidays.yaml"
    path.write_text("events: [{title: no date}]")
    settings.BANK_HOLIDAYS_FILE = str(path)
    wd.bank_holidays.cache_clear()
    try:
        with pytest.raises(wd.WorkingDaysError, match="no valid date"):
            wd.bank_holidays()
    finally:
        wd.bank_holidays.cache_clear()
