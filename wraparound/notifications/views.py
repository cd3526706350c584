"""A person's notifications: newest first; opening one marks it read and follows its link."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from wraparound.core.access import role_required
from wraparound.notifications.models import Notification
from wraparound.notifications.services import mark_read


@role_required()
def notification_list(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.filter(recipient_id=request.user.pk)
    page = Paginator(mine, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread": mine.filter(read_at__isnull=True).count()},
    )


@require_POST
@role_required()
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one read and go where it points (only ever a path inside the service)."""
    note = get_object_or_404(Notification, pk=pk, recipient_id=request.user.pk)
    mark_read(user=request.user, notification_ids=[note.pk])
    safe = url_has_allowed_host_and_scheme(note.link, allowed_hosts=None) and note.link.startswith(
        "/"
    )
    return redirect(note.link if safe else "notifications:list")


@require_POST
@role_required()
def mark_all_read(request: HttpRequest) -> HttpResponse:
    mark_read(user=request.user)
    return redirect("notifications:list")
