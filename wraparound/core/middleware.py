"""Middleware that every request passes: an id for its audit entries, size and caching rules."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.cache import patch_cache_control

from wraparound.core.request_memo import request_scope


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = uuid.uuid4().hex  # type: ignore[attr-defined]
        with request_scope():
            response = self.get_response(request)
        response["X-Request-Id"] = request.request_id  # type: ignore[attr-defined]
        return response


class SessionIdleRefreshMiddleware:
    """Keep a signed-in session alive while it is used, writing it at most once a minute.

    Sessions end after ``SESSION_COOKIE_AGE`` of inactivity. Django's
    ``SESSION_SAVE_EVERY_REQUEST`` would rewrite the session row on every page: a second write
    transaction per view, which on SQLite queues behind every audit append. Marking the
    session changed only when the last refresh is ``SESSION_REFRESH_SECONDS`` old keeps the
    idle timeout (to within that minute) for one write a minute per user.
    """

    KEY = "_wraparound_refreshed_at"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if session is not None and user is not None and user.is_authenticated:
            now = time.time()
            last = session.get(self.KEY, 0)
            if not isinstance(last, int | float) or now - last >= settings.SESSION_REFRESH_SECONDS:
                session[self.KEY] = now  # marks it modified: SessionMiddleware saves it
        return response


class NoStoreForSignedInMiddleware:
    """Tell browsers and proxies not to keep any page shown to a signed-in user.

    Every signed-in page may show personal data (a family, a name in a list, a report cell);
    with ``no-store`` the back button on a shared computer after signing out, or a caching
    proxy, cannot show it again. Public pages (the directory API, the start page) may be cached.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, no_cache=True, private=True)
            response["Pragma"] = "no-cache"
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is over ``REQUEST_MAX_BYTES`` before reading it.

    Django would stream such an upload to disk and only then let the form refuse it; a
    multi-gigabyte body would fill the disk and hold a worker for minutes. The declared
    Content-Length is enough to say no at once (gunicorn never reads more than it declares).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        limit = int(settings.REQUEST_MAX_BYTES)
        if declared > limit:
            return too_large(declared, limit)
        return self.get_response(request)


def too_large(declared: int, limit: int) -> HttpResponse:
    """The 413 page: standalone, like the 500 page, since nothing else has run yet."""
    body = loader.get_template("core/errors/413.html").render(
        {
            "service_name": settings.SERVICE_NAME,
            "declared_mb": f"{declared / 1048576:.1f}",
            "limit_mb": f"{limit / 1048576:.1f}",
        }
    )
    response = HttpResponse(body, status=413)
    response["Connection"] = "close"  # the unread body must not be taken as the next request
    return response
