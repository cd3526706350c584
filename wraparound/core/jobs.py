"""Long work off the request path: enqueue it, report its progress, read its status.

The small public interface other apps use (e.g. an import confirmation, "link now", an
evaluation run)::

    from wraparound.core import jobs

    @jobs.register("matching.link")            # once, at import time of the app's module
    def link_now(report: jobs.Reporter, *, incremental: bool) -> dict[str, Any]:
        report(done=0, total=None, message="reading records")
        ...
        return {"url": "/matching/runs/12/", "summary": "1,234 people linked"}

    job = jobs.enqueue("matching.link", user=request.user, label="Link records",
                       incremental=True)      # params must be JSON-serialisable
    return redirect(jobs.page_url(job))        # the job's page shows progress, then the result

    jobs.status(job.public_id)                 # JobView: status, done/total, message, result

Work runs in the worker (``wraparound worker``; ``wraparound demo`` starts one), queued by
django-tasks in the database (``django-tasks-db``), so the embedded SQLite default and
PostgreSQL both work with no extra server. A job's function returns a small dict: ``url``
(where the result is) and ``summary`` are shown on the page. An exception marks the job
failed; a ``JobRefusedError`` shows its message to the person (the others show a generic line).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from wraparound.core.models import Job, JobStatus, User

logger = logging.getLogger(__name__)


class Reporter(Protocol):
    def __call__(self, *, done: int, total: int | None = None, message: str = "") -> None: ...


JobFunction = Callable[..., dict[str, Any] | None]
_REGISTRY: dict[str, JobFunction] = {}
# Apps whose module ``jobs`` registers job kinds; loaded by the worker before it runs a job.
JOB_MODULES = ("jobs",)


class JobRefusedError(Exception):
    """The work could not be done for a reason the person can act on (shown on the page)."""


class UnknownJobKindError(LookupError):
    """No job function is registered under this kind."""


def register(kind: str) -> Callable[[JobFunction], JobFunction]:
    """Register ``function(report, **params)`` as the work of jobs of ``kind``."""

    def decorator(function: JobFunction) -> JobFunction:
        _REGISTRY[kind] = function
        return function

    return decorator


def _load_job_modules() -> None:
    """Import every Wraparound app's ``jobs`` module so its kinds are registered."""
    for config in apps.get_app_configs():
        if not config.name.startswith("wraparound."):
            continue
        for module in JOB_MODULES:
            name = f"{config.name}.{module}"
            if importlib.util.find_spec(name) is not None:
                importlib.import_module(name)


def registered_kinds() -> list[str]:
    _load_job_modules()
    return sorted(_REGISTRY)


def enqueue(kind: str, *, user: User | None, label: str, **params: Any) -> Job:
    """Queue work of ``kind`` with JSON ``params``; returns the Job whose page shows progress."""
    if kind not in _REGISTRY:
        _load_job_modules()
    if kind not in _REGISTRY:
        raise UnknownJobKindError(f"No job kind {kind!r}; registered: {sorted(_REGISTRY)}.")
    job = Job.objects.create(
        public_id=uuid.uuid4(), kind=kind, label=label[:200], params=params, requested_by=user
    )
    run_job.enqueue(str(job.public_id))
    return job


def _progress_file(public_id: uuid.UUID | str) -> Path:
    folder = Path(settings.VAR_DIR) / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{uuid.UUID(str(public_id))}.progress.json"


def progress(
    public_id: uuid.UUID | str, *, done: int, total: int | None = None, message: str = ""
) -> None:
    """Record how far a running job has got, where its page sees it at once.

    Written to a small file under the var folder, not the database: the work itself usually
    runs in one transaction (an import is all or nothing), and a row updated inside it would
    stay invisible until the end, while on SQLite a second connection could not write at all.
    """
    path = _progress_file(public_id)
    previous = _read_progress(public_id)
    state = {
        "done": max(0, int(done)),
        "total": max(0, int(total)) if total is not None else previous.get("total"),
        "message": message[:500] if message else previous.get("message", ""),
    }
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(state), encoding="utf-8")
    os.replace(temporary, path)  # atomic: the page never reads half a file


def _read_progress(public_id: uuid.UUID | str) -> dict[str, Any]:
    try:
        data = json.loads(_progress_file(public_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class JobView:
    """What a job's page shows."""

    public_id: str
    label: str
    status: str
    status_label: str
    done: int
    total: int | None
    message: str
    result: dict[str, Any]
    error: str

    @property
    def finished(self) -> bool:
        return self.status in {JobStatus.DONE, JobStatus.FAILED}

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))


def status(public_id: uuid.UUID | str) -> JobView:
    """The job's state as its page shows it (raises Job.DoesNotExist)."""
    job = Job.objects.get(public_id=public_id)
    live = _read_progress(job.public_id) if job.status == JobStatus.RUNNING else {}
    return JobView(
        public_id=str(job.public_id),
        label=job.label,
        status=job.status,
        status_label=job.get_status_display(),
        done=int(live.get("done", job.done)),
        total=live.get("total", job.total),
        message=str(live.get("message", job.message)),
        result=dict(job.result or {}),
        error=job.error,
    )


def page_url(job: Job) -> str:
    return reverse("core:job", kwargs={"public_id": job.public_id})


def run_now(public_id: uuid.UUID | str) -> None:
    """Run one job in this process (the worker's body; tests call it directly)."""
    claimed = Job.objects.filter(public_id=public_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return  # already taken by another worker, or finished: never run a job twice
    job = Job.objects.get(public_id=public_id)
    _load_job_modules()
    function = _REGISTRY.get(job.kind)

    def report(*, done: int, total: int | None = None, message: str = "") -> None:
        progress(job.public_id, done=done, total=total, message=message)

    try:
        if function is None:
            raise UnknownJobKindError(f"No job kind {job.kind!r} is registered in this worker.")
        result = function(report, **job.params) or {}
    except JobRefusedError as refused:
        _finish(job, JobStatus.FAILED, error=str(refused))
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.public_id, job.kind)
        _finish(
            job, JobStatus.FAILED, error=f"The work failed unexpectedly ({type(exc).__name__})."
        )
    else:
        _finish(job, JobStatus.DONE, result=result)


def _finish(job: Job, state: str, *, error: str = "", result: dict[str, Any] | None = None) -> None:
    """Store the outcome and the last progress in the row, and remove the progress file."""
    live = _read_progress(job.public_id)
    Job.objects.filter(pk=job.pk).update(
        status=state,
        error=error,
        result=result or {},
        finished_at=timezone.now(),
        done=int(live.get("done") or 0),
        total=live.get("total"),
        message=str(live.get("message") or ""),
    )
    _progress_file(job.public_id).unlink(missing_ok=True)


@task()
def run_job(public_id: str) -> None:
    """The django-tasks task: one job, by its public id."""
    run_now(public_id)


def run_queued(*, limit: int = 100) -> int:
    """Run queued jobs in this process until none is left (or ``limit``); returns how many.

    For tests and for ``wraparound worker --once``; the worker proper is django-tasks-db's.
    """
    ran = 0
    for public_id in (
        Job.objects.filter(status=JobStatus.QUEUED)
        .order_by("created_at")
        .values_list("public_id", flat=True)[:limit]
    ):
        run_now(public_id)
        ran += 1
    return ran
