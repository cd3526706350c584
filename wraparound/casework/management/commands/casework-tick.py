"""`wraparound casework-tick`: tell people about overdue actions, late assessments and reviews due."""

from __future__ import annotations

from wraparound.casework.clock import tick
from wraparound.core.clock_command import clock_command

Command = clock_command(
    "Casework clock",
    "Tell owners and leads about overdue plan actions, late assessments and reviews due (once each).",
    tick,
)
