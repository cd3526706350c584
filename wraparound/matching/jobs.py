"""Background work of matching: a linkage run queued from a page (see core/jobs.py).

Queue it with ``jobs.enqueue(LINK, user=..., label="Link records", incremental=True)``.
"""

from __future__ import annotations

from typing import Any

from wraparound.core import jobs
from wraparound.matching.pipeline import LinkageError
from wraparound.matching.services import run_linkage

LINK = "matching.link"
# The stages the page counts: the four run_linkage reports (reading, linking, grouping
# families, saving the index), then the run's result.
STAGES = 5


@jobs.register(LINK)
def link_records(
    report: jobs.Reporter,
    *,
    incremental: bool = False,
    backend: str = "duckdb",
    match_threshold: float = 0.95,
    review_threshold: float = 0.5,
) -> dict[str, Any]:
    """Run linkage, reporting each stage; a linkage error is shown to the person who asked."""
    stage = 0

    def progress(message: str) -> None:
        nonlocal stage
        stage += 1
        report(done=min(stage, STAGES), total=STAGES, message=message)

    try:
        run = run_linkage(
            backend=backend,
            incremental=incremental,
            match_threshold=match_threshold,
            review_threshold=review_threshold,
            progress=progress,
        )
    except LinkageError as error:
        raise jobs.JobRefusedError(str(error)) from error
    report(done=STAGES, total=STAGES, message="linkage finished")
    return {
        "summary": f"Linkage run {run.pk}: {run.records:,} records, {run.people:,} people in "
        f"{run.families:,} families, {run.pairs_for_review:,} pairs for review.",
        "linkage_run": run.pk,
    }
