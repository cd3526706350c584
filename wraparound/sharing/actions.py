"""What every sharing write shares: its domain error, the IG-officer check, the audit entry."""

from __future__ import annotations

from typing import Any

from wraparound.core.models import Role
from wraparound.sharing import audit
from wraparound.sharing.models import AuditAction, AuditOutcome


class SharingError(Exception):
    """A sharing action was refused; the message says what to change."""


def require_ig_officer(user: Any) -> None:
    if getattr(user, "role", None) != Role.IG_OFFICER:
        raise SharingError(
            "Only information governance officers manage agreements and review emergency access."
        )


def audit_change(by: Any, reason: str, **extra: Any) -> None:
    audit.record_access(
        user=by, action=AuditAction.AMEND, outcome=AuditOutcome.PERMIT, reason=reason, **extra
    )
