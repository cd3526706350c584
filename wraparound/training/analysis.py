"""Who trained with whom: agency mix per event and agency pairs never trained together. Pure."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class Seat:
    """One attendance: event, its topic, the attendee's agency."""

    event: int
    topic: str
    agency: str


def agency_mix(seats: Iterable[Seat]) -> dict[int, Counter[str]]:
    """Event -> attendees per agency."""
    mix: dict[int, Counter[str]] = defaultdict(Counter)
    for seat in seats:
        mix[seat.event][seat.agency] += 1
    return dict(mix)


def trained_together(seats: Iterable[Seat], topic: str) -> set[frozenset[str]]:
    """Agency pairs that have sat in at least one event on ``topic`` together."""
    together: set[frozenset[str]] = set()
    for agencies in agency_mix(s for s in seats if s.topic == topic).values():
        together |= {frozenset(pair) for pair in combinations(sorted(agencies), 2)}
    return together


def not_trained_together(
    seats: Iterable[Seat], topic: str, agencies: Sequence[str]
) -> list[tuple[str, str]]:
    """Every pair of ``agencies`` never at the same event on ``topic``, in a stable order."""
    together = trained_together(list(seats), topic)
    return [
        (a, b) for a, b in combinations(sorted(agencies), 2) if frozenset((a, b)) not in together
    ]
