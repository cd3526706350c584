"""Renamed ``wraparound.needs.bench`` (every app's benchmark module is ``bench.py``); this name
is kept only for ``wraparound.evaluation.truth``, which imports it, until it moves over."""

from wraparound.needs.bench import *  # noqa: F403
from wraparound.needs.bench import truth_membership  # noqa: F401
