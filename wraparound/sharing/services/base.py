"""What every sharing write shares: its domain error, the action wrapper, the audit entry.

Each write is an *action* (Zulip's ``do_*`` shape): it checks who is acting, changes data in
one transaction and appends its ``amend`` entry to the audit chain in that transaction. When
it refuses, the transaction is rolled back and the refusal itself is audited (outcome deny),
so refused writes appear in the IG officers' denied-access report.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.db import transaction

from wraparound.core.models import Role, User
from wraparound.sharing import audit
from wraparound.sharing.models import AuditAction, AuditOutcome

P = ParamSpec("P")
R = TypeVar("R")


class SharingError(Exception):
    """A sharing action was refused; the message says what to change."""


class StaleEditError(SharingError):
    """Someone else saved the record since it was opened; ``changes`` says what they changed."""

    def __init__(self, message: str, changes: list[str]) -> None:
        super().__init__(message + (" Changed: " + "; ".join(changes) + "." if changes else ""))
        self.changes = changes


def action(fn: Callable[P, R]) -> Callable[P, R]:
    """Run ``fn`` in one transaction; audit a refusal (SharingError) after the rollback."""

    @wraps(fn)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            with transaction.atomic():
                return fn(*args, **kwargs)
        except SharingError as error:
            actor = kwargs.get("by") or kwargs.get("user")
            audit.record_access(
                user=actor,
                action=AuditAction.AMEND,
                outcome=AuditOutcome.DENY,
                family_public_id=str(kwargs.get("family_public_id") or ""),
                reason=f"Refused {fn.__name__.replace('_', ' ')}: {error}"[:2000],
                request_id=str(kwargs.get("request_id") or ""),
            )
            raise

    return wrapped


def require_ig_officer(user: User | None) -> None:
    if getattr(user, "role", None) != Role.IG_OFFICER:
        raise SharingError(
            "Only information governance officers manage agreements and review emergency access."
        )


def audit_change(by: User | None, reason: str, **extra: Any) -> None:
    audit.record_access(
        user=by, action=AuditAction.AMEND, outcome=AuditOutcome.PERMIT, reason=reason, **extra
    )
