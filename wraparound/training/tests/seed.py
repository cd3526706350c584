"""A training event for the access-by-role test."""

from __future__ import annotations

import datetime as dt
from typing import Any

from wraparound.core.tests.factories import AgencyFactory
from wraparound.training.models import Attendance, TrainingEvent


def seed(context: dict[str, Any]) -> None:
    agency = AgencyFactory(slug="training-seed-agency", name="Training Seed Agency")
    event = TrainingEvent.objects.create(
        title="Seed session", topic="domestic-abuse", starts_on=dt.date(2026, 3, 1)
    )
    Attendance.objects.create(event=event, agency=agency, attendee_name="Sam Seed")
    context["training_event"] = event
