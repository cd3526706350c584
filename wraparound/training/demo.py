"""Demo joint training: events on every topic over two years, with a realistic agency mix.

Deterministic for a seed. Some agencies rarely go to some topics (police to parental
conflict, housing to exploitation), so the "not trained together" view has something to say.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction

from wraparound.core.geography import load_geography
from wraparound.core.models import Agency, User
from wraparound.training.models import Attendance, TrainingEvent
from wraparound.training.topics import load_topics

EVENTS_PER_TOPIC = 4
FIRST_NAMES = ["Sam", "Priya", "Tom", "Aisha", "Jon", "Mei", "Owen", "Zara", "Luke", "Nadia"]
SURNAMES = ["Hughes", "Khan", "Ellis", "Novak", "Reid", "Osei", "Fraser", "Lund", "Bell", "Ng"]


def _names(agency: Agency) -> list[tuple[str, User | None]]:
    staff = list(User.objects.filter(agency=agency).order_by("username"))
    if staff:
        return [(u.get_full_name() or u.username, u) for u in staff]
    return [(f"{f} {s}", None) for f, s in zip(FIRST_NAMES, SURNAMES, strict=True)]


@transaction.atomic
def load_demo(context: dict[str, Any]) -> str:
    rng = random.Random(int(context.get("seed") or 1))
    agencies = list(Agency.objects.order_by("slug"))
    if not agencies:
        return "no agencies, no training events"
    localities = load_geography().localities
    TrainingEvent.objects.filter(title__startswith="[demo] ").delete()
    created = seats = 0
    for topic in load_topics():
        for number in range(EVENTS_PER_TOPIC):
            locality = localities[(number + len(topic.slug)) % len(localities)]
            event = TrainingEvent.objects.create(
                title=f"[demo] {topic.name}, {locality} session {number + 1}",
                topic=topic.slug,
                starts_on=dt.date(2025, 1, 15) + dt.timedelta(days=rng.randint(0, 640)),
                locality=locality,
                delivered_by=rng.choice(agencies),
                description=f"Multi-agency session on {topic.name.lower()}.",
            )
            created += 1
            for agency in rng.sample(
                agencies, rng.randint(min(3, len(agencies)), min(7, len(agencies)))
            ):
                names = _names(agency)
                for name, user in rng.sample(names, rng.randint(1, min(3, len(names)))):
                    Attendance.objects.create(
                        event=event, agency=agency, attendee_name=name, user=user
                    )
                    seats += 1
    return f"{created} joint training events with {seats} attendances"
