"""The audit chain's end is anchored outside the database, and a forged row cannot wedge it.

Each test plays an attacker with SQL access: inserting a row after the head, deleting the
tail together with the head, emptying the table. `verify` must say so; the checkpoint file
it compares with is signed, so editing it is caught as well.
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from wraparound.sharing import audit
from wraparound.sharing.models import AuditChainHead, AuditEntry
from wraparound.sharing.tests.test_audit_chain import _append, _tamper

pytestmark = pytest.mark.django_db


def _forge_after_head() -> int:
    """Insert a well-formed entry after the head, chained correctly, as a careful forger would."""
    last = AuditEntry.objects.order_by("-sequence").values()[0]
    forged = {name: last[name] for name in audit.HASHED_FIELDS}
    forged |= {
        "sequence": last["sequence"] + 1,
        "prev_hash": last["entry_hash"],
        "reason": "forged",
    }
    AuditEntry.objects.create(entry_hash=audit.entry_hash(forged), **forged)
    return int(forged["sequence"])


def test_a_row_inserted_after_the_head_is_reported_not_intact() -> None:
    _append(3)
    forged = _forge_after_head()
    report = audit.verify_stored_chain()
    assert not report.ok
    assert report.first_broken_sequence == forged
    assert "inserted outside Wraparound" in report.problem


def test_appends_go_on_past_a_forged_row_and_verify_names_the_break() -> None:
    _append(3)
    forged = _forge_after_head()
    after = _append(2)  # must not fail on the unique sequence (every audited page would 500)
    assert [e.sequence for e in after] == [forged + 1, forged + 2]
    report = audit.verify_stored_chain()
    assert not report.ok
    assert report.first_broken_sequence == forged + 1


def test_deleting_the_tail_and_the_head_together_is_caught_by_the_checkpoint() -> None:
    _append(5)
    assert audit.verify_stored_chain(write=True).ok  # the checkpoint now records entry 5
    _tamper("DELETE FROM sharing_auditentry WHERE sequence > %s", [3])
    entry_3 = AuditEntry.objects.get(sequence=3)
    AuditChainHead.objects.filter(pk=audit.HEAD_ID).update(
        last_sequence=3, last_hash=entry_3.entry_hash
    )
    report = audit.verify_stored_chain()
    assert not report.ok
    assert "recorded 5 entries" in report.problem


def test_emptying_the_whole_log_is_caught_by_the_checkpoint() -> None:
    _append(4)
    assert audit.verify_stored_chain(write=True).ok
    _tamper("DELETE FROM sharing_auditentry", [])
    AuditChainHead.objects.all().delete()
    report = audit.verify_stored_chain()
    assert not report.ok
    assert "emptied" in report.problem


def test_an_edited_checkpoint_file_is_reported() -> None:
    _append(2)
    assert audit.verify_stored_chain(write=True).ok
    path = audit.checkpoint_path()
    data = json.loads(path.read_text())
    data["sequence"] = 1
    path.write_text(json.dumps(data))
    report = audit.verify_stored_chain()
    assert not report.ok
    assert "signature" in report.problem


def test_verify_command_moves_the_checkpoint_forward_and_appends_do_so_periodically(
    django_capture_on_commit_callbacks: object,
) -> None:
    _append(3)
    call_command("audit", "verify", stdout=io.StringIO(), no_progress=True)
    assert audit.read_checkpoint().sequence == 3  # type: ignore[union-attr]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        _append(audit.CHECKPOINT_EVERY)
    # Entry 100 crossed a multiple of CHECKPOINT_EVERY: the checkpoint followed once it committed.
    assert audit.read_checkpoint().sequence == audit.CHECKPOINT_EVERY  # type: ignore[union-attr]


def test_the_checkpoint_never_moves_back() -> None:
    audit.write_checkpoint(10, "a" * 64)
    audit.write_checkpoint(4, "b" * 64)
    assert audit.read_checkpoint().sequence == 10  # type: ignore[union-attr]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_postgresql_refuses_to_truncate_the_audit_log() -> None:
    _append(1)
    with connection.cursor() as cursor:
        cursor.execute("SET wraparound.allow_audit_truncate = 'off'")
        try:
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute("TRUNCATE sharing_auditentry")
        finally:
            cursor.execute("SET wraparound.allow_audit_truncate = 'on'")
    assert AuditEntry.objects.count() == 1
