"""Long work runs in the worker, off the request path, with its progress on the job's page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from wraparound.core import jobs
from wraparound.core.models import Job, JobStatus, Role
from wraparound.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SEEN_MID_RUN: list[jobs.JobView] = []


@jobs.register("tests.count-to")
def count_to(report: jobs.Reporter, *, n: int) -> dict[str, Any]:
    for i in range(n):
        report(done=i, total=n, message="counting")
    SEEN_MID_RUN.append(jobs.status(Job.objects.get(kind="tests.count-to").public_id))
    return {"summary": f"counted to {n}", "url": "/home/"}


@jobs.register("tests.refuse")
def refuse(report: jobs.Reporter) -> None:
    raise jobs.JobRefusedError("The file has gone: upload it again.")


@jobs.register("tests.crash")
def crash(report: jobs.Reporter) -> None:
    raise ZeroDivisionError("internal detail that must not reach the page")


@pytest.fixture(autouse=True)
def _var_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


@pytest.mark.django_db(transaction=True)  # the worker commits and checks its connection, as live
def test_a_job_is_queued_not_run_by_the_request_then_the_worker_runs_it() -> None:
    user = UserFactory()
    job = jobs.enqueue("tests.count-to", user=user, label="Count", n=5)
    assert jobs.status(job.public_id).status == JobStatus.QUEUED
    SEEN_MID_RUN.clear()
    call_command("worker", once=True, verbosity=0)  # the real queue: django-tasks-db's worker
    view = jobs.status(job.public_id)
    assert (view.status, view.result["summary"]) == (JobStatus.DONE, "counted to 5")
    # While it ran, its page could read how far it had got.
    assert SEEN_MID_RUN[0].status == JobStatus.RUNNING
    assert (SEEN_MID_RUN[0].done, SEEN_MID_RUN[0].total) == (4, 5)


def test_a_job_runs_once_even_if_asked_twice() -> None:
    job = jobs.enqueue("tests.count-to", user=None, label="Count", n=1)
    SEEN_MID_RUN.clear()
    jobs.run_now(job.public_id)
    jobs.run_now(job.public_id)
    assert len(SEEN_MID_RUN) == 1


def test_a_refused_job_shows_its_reason_and_a_crash_shows_no_internals() -> None:
    user = UserFactory()
    refused = jobs.enqueue("tests.refuse", user=user, label="Refuse")
    crashed = jobs.enqueue("tests.crash", user=user, label="Crash")
    assert jobs.run_queued() == 2
    assert jobs.status(refused.public_id).error == "The file has gone: upload it again."
    crash_view = jobs.status(crashed.public_id)
    assert crash_view.status == JobStatus.FAILED
    assert "internal detail" not in crash_view.error


def test_an_unknown_kind_is_refused_when_queued() -> None:
    with pytest.raises(jobs.UnknownJobKindError):
        jobs.enqueue("tests.no-such-kind", user=None, label="Nothing")


def test_the_job_page_shows_progress_to_whoever_asked_and_no_one_else() -> None:
    owner = UserFactory(username="owner")
    job = jobs.enqueue("tests.count-to", user=owner, label="Count for owner", n=3)
    client = Client()
    client.force_login(owner)
    url = jobs.page_url(job)
    waiting = client.get(url)
    assert waiting.status_code == 200
    assert b"Waiting to start" in waiting.content
    assert b'http-equiv="refresh"' in waiting.content
    jobs.run_queued()
    done = client.get(url)
    assert b"counted to 3" in done.content
    assert b'http-equiv="refresh"' not in done.content
    other = Client()
    other.force_login(UserFactory(username="someone-else", role=Role.ADMINISTRATOR))
    assert other.get(url).status_code == 404


def test_needs_queued_before_any_linkage_fails_with_the_reason() -> None:
    from wraparound.needs.jobs import IDENTIFY

    job = jobs.enqueue(IDENTIFY, user=None, label="Identify needs")
    jobs.run_queued()
    view = jobs.status(job.public_id)
    assert view.status == JobStatus.FAILED
    assert view.error
