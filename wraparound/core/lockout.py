"""How many wrong passwords django-axes allows before it pauses signing in.

Axes counts failures per username and address. On its own that misses password spraying:
an attacker trying four guesses at each of many accounts from one address never reaches the
per-username limit. So a second count is kept here: failures from one address across every
username in the cool-off window. Once that passes ``LOGIN_IP_FAILURE_LIMIT`` the limit for
the address drops to zero, and every sign-in from it (right password included) is paused
until the window ends.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone


def failures_from_address(ip_address: str) -> int:
    """Wrong passwords from one address, for any username, within the cool-off window."""
    since = timezone.now() - timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    total = AccessAttempt.objects.filter(ip_address=ip_address, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return int(total or 0)


def failure_limit(request: HttpRequest, credentials: Any = None) -> int:
    """Axes' limit for this request: the per-username limit, or 0 for a spraying address."""
    ip_address = getattr(request, "axes_ip_address", None)
    if ip_address and failures_from_address(ip_address) >= settings.LOGIN_IP_FAILURE_LIMIT:
        return 0
    return int(settings.LOGIN_FAILURE_LIMIT)
