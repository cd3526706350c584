"""notify(): one in-app notification per person, emailed only once the change commits."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from wraparound.core.models import AgencyKind
from wraparound.notifications.models import Notification
from wraparound.notifications.services import mark_read, notify, unread_count
from wraparound.sharing.tests import factories as sharing

pytestmark = pytest.mark.django_db


def _people():  # type: ignore[no-untyped-def]
    agency = sharing.agency(AgencyKind.HOUSING)
    with_email = sharing.worker(agency, username="a", email="a@example.org")
    without_email = sharing.worker(agency, username="b", email="")
    return with_email, without_email


def test_each_person_is_told_once_and_emailed_after_commit(
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    a, b = _people()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(recipients=[a, b, a], kind="test", subject="Something to do", link="/referrals/")
        assert mail.outbox == []  # nothing is sent before the commit
    assert len(callbacks) == 1
    assert Notification.objects.filter(recipient=a).count() == 1
    assert unread_count(b) == 1
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert "http://127.0.0.1:8000/referrals/" in mail.outbox[0].body


def test_a_rolled_back_change_tells_nobody(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    a, _ = _people()

    def failing_change() -> None:
        with transaction.atomic():
            notify(recipients=[a], kind="test", subject="Never saved")
            raise RuntimeError("the change failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        failing_change()
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_mark_read_touches_only_the_persons_own_notifications() -> None:
    a, b = _people()
    notify(recipients=[a, b], kind="test", subject="Both", email=False)
    assert mark_read(user=a) == 1
    assert unread_count(a) == 0
    assert unread_count(b) == 1
