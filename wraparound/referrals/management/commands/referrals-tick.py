"""`wraparound referrals-tick`: move referral clocks on (reminders, escalation, expiry)."""

from __future__ import annotations

from wraparound.core.clock_command import clock_command
from wraparound.referrals.clock import tick

Command = clock_command(
    "Referral clocks",
    "Send referral reminders, escalate overdue referrals, expire undecided ones (never accepts).",
    tick,
)
