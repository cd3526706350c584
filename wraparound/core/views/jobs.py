"""The page of one background job: its progress, then its result or why it failed."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from wraparound.core import jobs
from wraparound.core.models import Job


@login_required
def job_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Only the person who asked for the work sees it (anyone else: not found)."""
    if not Job.objects.filter(public_id=public_id, requested_by_id=request.user.pk).exists():
        raise Http404("No such job of yours.")
    return render(request, "core/job.html", {"job": jobs.status(public_id)})
