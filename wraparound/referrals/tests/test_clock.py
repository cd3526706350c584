"""The referral clock runs in working days: reminder on the day it is due, escalation to the
receiving team managers once overdue, expiry after that; it never accepts a referral."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wraparound.notifications.models import Notification
from wraparound.referrals import services
from wraparound.referrals.clock import tick
from wraparound.referrals.models import Referral, State
from wraparound.referrals.tests.builders import TUESDAY, draft, partnership

pytestmark = pytest.mark.django_db


def at(year: int, month: int, day: int, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def test_a_standard_referral_is_due_five_working_days_later_at_the_end_of_the_day() -> None:
    p = partnership()
    referral = services.send_referral(by=p.sender, draft=draft(p), now=TUESDAY)
    assert timezone.localtime(referral.due_at) == at(2026, 12, 9, 0)  # end of Tuesday 8th
    assert timezone.localtime(referral.expires_at) == at(2026, 12, 12, 0)  # end of Friday 11th


def test_an_urgent_referral_on_christmas_eve_is_due_after_the_bank_holidays() -> None:
    p = partnership()
    referral = services.send_referral(
        by=p.sender, draft=draft(p, urgency="urgent"), now=at(2026, 12, 24, 15)
    )
    # Fri 25 (Christmas), weekend, Mon 28 (Boxing Day substitute): due end of Tuesday 29th.
    assert timezone.localtime(referral.due_at) == at(2026, 12, 30, 0)
    # Three working days on: Wed 30, Thu 31, (Fri 1 Jan is off), Mon 4 January.
    assert timezone.localtime(referral.expires_at) == at(2027, 1, 5, 0)


def test_reminder_then_escalation_then_expiry_each_once_and_never_acceptance() -> None:
    p = partnership()
    referral = services.send_referral(by=p.sender, draft=draft(p), now=TUESDAY)

    assert tick(now=at(2026, 12, 7)).describe() == "0 reminded, 0 escalated, 0 expired"
    assert tick(now=at(2026, 12, 8)).reminded == 1  # the day it is due
    assert tick(now=at(2026, 12, 8, 15)).reminded == 0  # once only
    assert tick(now=at(2026, 12, 9)).escalated == 1
    assert tick(now=at(2026, 12, 10)).escalated == 0
    assert tick(now=at(2026, 12, 11, 23)).expired == 0
    assert tick(now=at(2026, 12, 12, 0)).expired == 1

    referral.refresh_from_db()
    assert referral.state == State.EXPIRED
    assert referral.decided_by is None
    assert referral.pending_relationship.ended_at is not None
    kinds = list(Notification.objects.values_list("recipient__username", "kind"))
    assert ("receiver", "referral_reminder") in kinds
    assert ("housing-manager", "referral_escalated") in kinds
    assert ("receiver", "referral_escalated") not in kinds  # escalation goes to managers
    assert ("sender", "referral_expired") in kinds


def test_the_clock_skips_weekends_so_nothing_escalates_over_a_weekend() -> None:
    p = partnership()
    friday = at(2026, 12, 4, 16)
    services.send_referral(by=p.sender, draft=draft(p, urgency="urgent"), now=friday)
    assert tick(now=at(2026, 12, 6, 12)).escalated == 0  # Sunday
    assert tick(now=at(2026, 12, 7, 12)).reminded == 1  # Monday: due today
    assert tick(now=at(2026, 12, 8, 1)).escalated == 1


def test_a_waiting_information_request_reminds_the_sender_not_the_receiver() -> None:
    p = partnership()
    referral = services.send_referral(by=p.sender, draft=draft(p), now=TUESDAY)
    services.request_information(
        by=p.receiver, referral=referral, question="What support is in place now?", now=TUESDAY
    )
    tick(now=at(2026, 12, 8))
    assert Notification.objects.filter(recipient=p.sender, kind="referral_reminder").exists()
    assert not Notification.objects.filter(recipient=p.receiver, kind="referral_reminder").exists()


def test_decided_referrals_are_left_alone() -> None:
    p = partnership()
    referral = services.send_referral(by=p.sender, draft=draft(p), now=TUESDAY)
    services.accept_referral(by=p.receiver, referral=referral, now=TUESDAY)
    assert tick(now=at(2027, 1, 30)).describe() == "0 reminded, 0 escalated, 0 expired"
    assert Referral.objects.get().state == State.ACCEPTED


def test_the_tick_command_reports_what_it_did(capsys) -> None:  # type: ignore[no-untyped-def]
    p = partnership()
    services.send_referral(by=p.sender, draft=draft(p), now=TUESDAY)
    call_command("referrals-tick", "--at", "2026-12-12T09:00")
    assert "0 reminded, 0 escalated, 1 expired" in capsys.readouterr().out


def test_the_tick_command_refuses_a_bad_date() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="ISO date-time"):
        call_command("referrals-tick", "--at", "next tuesday")


# Generation is cheap; on a loaded machine the first examples (loading the bank holidays)
# can still trip the too-slow check, which says nothing about the clock.
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.datetimes(min_value=dt.datetime(2015, 1, 1), max_value=dt.datetime(2039, 11, 30)),
    urgency=st.sampled_from(["urgent", "standard"]),
)
def test_every_clock_is_counted_in_working_days_from_any_moment(
    start: dt.datetime, urgency: str
) -> None:
    """Whenever a referral is sent (weekend, bank holiday, midnight), it is due at the end of a
    working day exactly N working days on, reminded that day, and expires M working days later."""
    from django.conf import settings as django_settings

    from wraparound.core import working_days
    from wraparound.referrals.rules import clock_for, decision_days

    sent = timezone.make_aware(start)
    clock = clock_for(urgency, sent)
    due_day = timezone.localdate(clock.due_at - dt.timedelta(microseconds=1))
    expiry_day = timezone.localdate(clock.expires_at - dt.timedelta(microseconds=1))
    assert working_days.is_working_day(due_day)
    assert working_days.working_days_between(timezone.localdate(sent), due_day) == decision_days(
        urgency
    )
    assert (
        working_days.working_days_between(due_day, expiry_day)
        == django_settings.REFERRAL_EXPIRY_DAYS
    )
    assert sent <= clock.remind_at <= clock.due_at < clock.expires_at
    assert timezone.localdate(clock.remind_at) == due_day or clock.remind_at == sent
