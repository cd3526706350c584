"""Notify people: an in-app notification now, an email after the transaction commits.

Any capability calls ``notify(...)`` inside its own write transaction: the notification rows
commit (or roll back) with the change that caused them, and the emails go only once the change
is safely stored, so nobody is emailed about a referral that was never saved. Emails carry
no personal data, only what happened and a link; the page behind the link applies the policy.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from wraparound.notifications.models import Notification

logger = logging.getLogger(__name__)


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    subject: str,
    body: str = "",
    link: str = "",
    family_public_id: str = "",
    email: bool = True,
) -> list[Notification]:
    """Tell each recipient (once, even if listed twice); email those with an address."""
    unique = {user.pk: user for user in recipients if user is not None and user.is_active}
    notes = Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind=kind,
                subject=subject[:200],
                body=body,
                link=link,
                family_public_id=family_public_id,
                emailed=email and bool(user.email),
            )
            for user in unique.values()
        ]
    )
    if email:
        addresses = sorted({u.email for u in unique.values() if u.email})
        if addresses:
            transaction.on_commit(lambda: _send(subject, body, link, addresses))
    return notes


def _send(subject: str, body: str, link: str, addresses: list[str]) -> None:
    """One message per address (no one sees who else was told); failures are logged, not lost."""
    text = body + (
        f"\n\nOpen it in {settings.SERVICE_NAME}: {settings.SITE_URL}{link}" if link else ""
    )
    messages = [
        (f"{settings.SERVICE_NAME}: {subject}", text, settings.DEFAULT_FROM_EMAIL, [address])
        for address in addresses
    ]
    try:
        send_mass_mail(messages, fail_silently=False)
    except OSError:
        # The in-app notification is already stored; the email is the extra channel.
        logger.exception("Could not email %d people about %r", len(addresses), subject)


def mark_read(*, user: Any, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all when no ids are given); returns how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


__all__ = ["mark_read", "notify", "unread_count"]
