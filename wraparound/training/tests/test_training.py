"""Joint training: the agency mix of events and the agencies that have not trained together."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from wraparound.core.models import Role
from wraparound.core.tests.factories import AgencyFactory, UserFactory
from wraparound.training.analysis import Seat, agency_mix, not_trained_together
from wraparound.training.models import Attendance, TrainingEvent


@pytest.mark.pipeline
def test_agencies_at_the_same_event_on_a_topic_have_trained_together() -> None:
    seats = [
        Seat(1, "domestic-abuse", "police"),
        Seat(1, "domestic-abuse", "womens-aid"),
        Seat(1, "domestic-abuse", "police"),
        Seat(2, "domestic-abuse", "health"),
        Seat(2, "domestic-abuse", "womens-aid"),
        Seat(3, "exploitation", "police"),
        Seat(3, "exploitation", "health"),
    ]
    assert agency_mix(seats)[1] == {"police": 2, "womens-aid": 1}
    apart = not_trained_together(
        seats, "domestic-abuse", ["police", "womens-aid", "health", "housing"]
    )
    # police and health met on exploitation, not on domestic abuse; housing met nobody.
    assert apart == [
        ("health", "housing"),
        ("health", "police"),
        ("housing", "police"),
        ("housing", "womens-aid"),
    ]


def _event(topic: str, *agencies: Any) -> TrainingEvent:
    event = TrainingEvent.objects.create(
        title=f"{topic} session", topic=topic, starts_on=dt.date(2026, 2, 1)
    )
    for agency in agencies:
        Attendance.objects.create(
            event=event, agency=agency, attendee_name=f"Someone from {agency.slug}"
        )
    return event


@pytest.mark.django_db
def test_manager_sees_which_agencies_have_not_trained_together_on_a_topic() -> None:
    police = AgencyFactory(slug="police", name="Police", kind="police")
    refuge = AgencyFactory(slug="refuge", name="Refuge", kind="voluntary")
    school = AgencyFactory(slug="school", name="School", kind="education")
    _event("domestic-abuse", police, refuge)
    _event("exploitation", police, school)
    client = Client()
    client.force_login(UserFactory(role=Role.TEAM_MANAGER, agency=police))
    html = client.get(
        "/training/not-trained-together/", {"topic": "domestic-abuse"}
    ).content.decode()
    assert "2 pairs of agencies have never attended" in html
    assert (
        '<td class="govuk-table__cell">Police</td><td class="govuk-table__cell">School</td>' in html
    )


@pytest.mark.django_db
def test_event_page_shows_the_agency_mix() -> None:
    police = AgencyFactory(slug="police", name="Police", kind="police")
    refuge = AgencyFactory(slug="refuge", name="Refuge", kind="voluntary")
    event = _event("domestic-abuse", police, refuge)
    Attendance.objects.create(event=event, agency=refuge, attendee_name="Second from refuge")
    client = Client()
    client.force_login(UserFactory(role=Role.PRACTITIONER, agency=police))
    html = client.get(f"/training/events/{event.pk}/").content.decode()
    assert "Agency mix: 2 agencies" in html
    events = client.get("/training/", {"topic": "domestic-abuse"}).content.decode()
    assert "1 event" in events


@pytest.mark.django_db
def test_demo_training_covers_every_topic_deterministically() -> None:
    from wraparound.core.demo import load_agencies
    from wraparound.training.demo import load_demo
    from wraparound.training.topics import load_topics

    load_agencies()
    load_demo({"seed": 3})
    first = sorted(Attendance.objects.values_list("event__title", "agency__slug", "attendee_name"))
    load_demo({"seed": 3})
    assert (
        sorted(Attendance.objects.values_list("event__title", "agency__slug", "attendee_name"))
        == first
    )
    assert set(TrainingEvent.objects.values_list("topic", flat=True)) == {
        t.slug for t in load_topics()
    }
