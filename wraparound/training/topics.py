"""The partnership's joint-training topics, loaded once from ``catalogues/topics.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

TOPICS_FILE = Path(__file__).resolve().parent / "catalogues" / "topics.yaml"


@dataclass(frozen=True)
class Topic:
    slug: str
    name: str
    outcomes: tuple[str, ...]


@cache
def load_topics() -> tuple[Topic, ...]:
    entries = yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))["topics"]
    topics = tuple(Topic(e["slug"], e["name"], tuple(e.get("outcomes", []))) for e in entries)
    if len({t.slug for t in topics}) != len(topics):
        raise ValueError("topics.yaml lists a topic slug twice.")
    return topics


def topic_choices() -> list[tuple[str, str]]:
    return [(t.slug, t.name) for t in load_topics()]


def topic_name(slug: str) -> str:
    return next((t.name for t in load_topics() if t.slug == slug), slug)
