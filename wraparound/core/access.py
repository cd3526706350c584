"""Role checks for views: who may open which page.

Roles decide which *pages* a person may use; which *records* they may see on those pages is
decided by the sharing policy (`wraparound.sharing`). A denial renders the 403 page and is
written to the audit trail, so refusals by role appear in the IG officers' denied-access
report alongside refusals by the policy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from wraparound.core.models import Role

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])

ALL_ROLES: frozenset[str] = frozenset(Role.values)


def user_has_role(user: Any, roles: Iterable[str]) -> bool:
    """True when the signed-in user holds one of ``roles``."""
    return bool(user.is_authenticated and getattr(user, "role", None) in set(roles))


def refuse_by_role(request: HttpRequest) -> PermissionDenied:
    """Audit a refusal by role (one entry) and return the error the view raises."""
    from wraparound.sharing.audit import record_access

    role = getattr(request.user, "role", "") or "none"
    record_access(
        user=request.user,
        action="view",
        outcome="deny",
        reason=f"Refused by role ({role}): {request.method} {request.path}",
        request_id=getattr(request, "request_id", None),
    )
    return PermissionDenied("Your role does not give access to this page.")


def role_required(*roles: str) -> Callable[[ViewFunc], ViewFunc]:
    """Let signed-in users with one of ``roles`` through; send others to sign in or a 403."""
    allowed = frozenset(roles) or ALL_ROLES

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_has_role(request.user, allowed):
                raise refuse_by_role(request)
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


class RoleRequiredMixin(LoginRequiredMixin):
    """Class-based view counterpart of :func:`role_required`."""

    allowed_roles: frozenset[str] = ALL_ROLES

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not user_has_role(request.user, self.allowed_roles):
            raise refuse_by_role(request)
        return super().dispatch(request, *args, **kwargs)


def may_open(user: Any, url_name: str, **kwargs: Any) -> bool:
    """Would the page named ``url_name`` let ``user`` in? For links: offer only what opens.

    Reads the roles the view itself declares (``role_required`` or ``RoleRequiredMixin``), so a
    link and its page cannot disagree. Record-level refusals (a family without a relationship)
    are the sharing policy's and are not predicted here.
    """
    from django.urls import resolve, reverse

    if not getattr(user, "is_authenticated", False):
        return False
    view = resolve(reverse(url_name, kwargs=kwargs or None)).func
    view_class = getattr(view, "view_class", None)
    roles = getattr(view, "allowed_roles", None) or getattr(view_class, "allowed_roles", None)
    return roles is None or user_has_role(user, roles)
