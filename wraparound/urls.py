"""Project URL map: each capability mounts its own urls at a reserved prefix."""

from __future__ import annotations

from importlib.util import find_spec

from django.urls import URLPattern, URLResolver, include, path

handler403 = "wraparound.core.views.errors.permission_denied"
handler404 = "wraparound.core.views.errors.page_not_found"
handler500 = "wraparound.core.views.errors.server_error"

# Prefix for each capability's pages; an app joins the map as soon as it has a urls module.
APP_PREFIXES = {
    "records": "records/",
    "matching": "matching/",
    "sharing": "sharing/",
    "directory": "directory/",
    "needs": "needs/",
    "casework": "families/",
    "outcomes": "outcomes/",
    "training": "training/",
    "referrals": "referrals/",
    "notifications": "notifications/",
    "evaluation": "evaluation/",
}


def _has_module(name: str) -> bool:
    try:
        return find_spec(name) is not None
    except ModuleNotFoundError:
        return False


urlpatterns: list[URLPattern | URLResolver] = [path("", include("wraparound.core.urls"))]

for app, prefix in APP_PREFIXES.items():
    if _has_module(f"wraparound.{app}.urls"):
        urlpatterns.append(path(prefix, include(f"wraparound.{app}.urls")))
    if _has_module(f"wraparound.{app}.api_urls"):
        urlpatterns.append(path(f"api/{app}/", include(f"wraparound.{app}.api_urls")))

if _has_module("wraparound.directory.oruk_urls"):
    urlpatterns.append(path("oruk/", include("wraparound.directory.oruk_urls")))
