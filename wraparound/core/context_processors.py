"""Template context every page needs: service name and the role's navigation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from wraparound.core.navigation import navigation_for


def service(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    role = getattr(user, "role", None) if user is not None and user.is_authenticated else None
    items = []
    for entry in navigation_for(role):
        try:
            href = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": entry.label, "href": href, "active": request.path == href})
    return {
        "service_name": settings.SERVICE_NAME,
        "partnership_name": settings.PARTNERSHIP_NAME,
        "service_navigation": items,
        # Publication-grade suppression, stated wherever aggregate figures are explained.
        "publication_threshold": settings.SUPPRESSION_THRESHOLD,
    }
