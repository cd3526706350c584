"""Two people saving one action at the same instant: exactly one wins, the other is told.

The interleaved two-browser case runs on both databases (test_workspace_pages). This one
races two real threads, each with its own database connection; it needs a server database
(SQLite's in-memory test database is private to one connection), so it runs on PostgreSQL.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from wraparound.casework import plan_services
from wraparound.casework.concurrency import StaleEditError
from wraparound.casework.models import PlanAction
from wraparound.casework.tests.casework_builders import team_around_family

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="threads need a shared server database (PostgreSQL)"
)
def test_two_simultaneous_saves_of_one_action_one_wins_and_one_is_refused() -> None:
    team = team_around_family()
    action = plan_services.add_action(
        by=team.lead,
        case=team.case,
        outcome="health",
        description="Hana rebooks the missed health visit",
        owner=team.health_visitor,
        due_on=team.case.opened_at.date(),
    )
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def save(user, status: str) -> None:  # type: ignore[no-untyped-def]
        try:
            start.wait()
            plan_services.update_action(
                by=user,
                action=PlanAction.objects.get(pk=action.pk),
                expected_version=1,
                status=status,
                progress_note=status,
            )
            outcomes.append("saved")
        except StaleEditError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(team.health_visitor, "done")),
        threading.Thread(target=save, args=(team.lead, "in_progress")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["refused", "saved"]
    saved = PlanAction.objects.get(pk=action.pk)
    assert saved.version == 2
    assert saved.progress_note == saved.status
