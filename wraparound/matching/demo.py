"""Demo data for matching: link the demo county's imported records into the master index."""

from __future__ import annotations

from typing import Any

from wraparound.matching.services import run_linkage


def load_demo(context: dict[str, Any]) -> str:
    """Hook for `wraparound demo`: runs after records has imported the synthetic county.

    Re-running the demo re-links with the same ids (ids are carried forward), so a second
    `wraparound demo` does not change who is who.
    """
    run = run_linkage()
    return (
        f"{run.records:,} records linked into {run.people:,} people in {run.families:,} "
        f"families; {run.pairs_for_review:,} pairs waiting in the review queue"
    )
