"""Reads for the training pages (staff attendance only; no family data)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from wraparound.core.models import Agency
from wraparound.training.analysis import Seat, not_trained_together
from wraparound.training.models import Attendance, TrainingEvent


def events(*, topic: str | None = None) -> QuerySet[TrainingEvent]:
    queryset = TrainingEvent.objects.select_related("delivered_by").annotate(
        attendee_count=Count("attendances"),
        agency_count=Count("attendances__agency", distinct=True),
    )
    return queryset.filter(topic=topic) if topic else queryset


def event_mix(event: TrainingEvent) -> list[tuple[Agency, int]]:
    """The agencies at an event and how many came from each, largest first."""
    counts = Counter(a.agency_id for a in event.attendances.all())
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=counts)}
    return sorted(((agencies[pk], n) for pk, n in counts.items()), key=lambda x: (-x[1], x[0].name))


def seats() -> list[Seat]:
    rows = Attendance.objects.values_list("event_id", "event__topic", "agency__slug")
    return [Seat(event, topic, agency) for event, topic, agency in rows]


@dataclass(frozen=True)
class TogetherGrid:
    agencies: list[Agency]
    missing: list[tuple[Agency, Agency]]


def together_grid(topic: str) -> TogetherGrid:
    """For a topic: which agency pairs have trained together, and the pairs that never have."""
    agencies = list(Agency.objects.order_by("name"))
    by_slug = {a.slug: a for a in agencies}
    all_seats = seats()
    missing = not_trained_together(all_seats, topic, [a.slug for a in agencies])
    return TogetherGrid(agencies, [(by_slug[x], by_slug[y]) for x, y in missing])
