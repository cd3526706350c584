"""The audit chain: every entry linked to the one before, any tampering found by verify."""

from __future__ import annotations

import io
import itertools
import random
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wraparound.core.models import AgencyKind
from wraparound.sharing import audit
from wraparound.sharing.audit import GENESIS_HASH, verify_entries
from wraparound.sharing.models import AuditChainHead, AuditEntry
from wraparound.sharing.tests.factories import agency, worker


def _append(n: int) -> list[AuditEntry]:
    user = worker(agency(AgencyKind.POLICE))
    return [
        audit.record_access(
            user=user,
            action="view",
            outcome=random.choice(["permit", "deny"]),
            purpose="safeguarding",
            family_public_id=f"F-{i:08d}",
            categories=[
                {"provider": "hartshire-police", "category": "police", "outcome": "permit"}
            ],
            reason=f"entry {i} — with non-ASCII ✓",
            request_id=f"req-{i}",
        )
        for i in range(n)
    ]


@pytest.mark.django_db
def test_each_entry_links_to_the_one_before_and_the_whole_chain_verifies() -> None:
    entries = _append(5)
    assert entries[0].prev_hash == GENESIS_HASH
    assert [e.sequence for e in entries] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.entry_hash for a, b in itertools.pairwise(entries))
    report = audit.verify_stored_chain()
    assert report.ok
    assert report.checked == 5


@pytest.mark.django_db
def test_an_entry_re_read_from_the_database_hashes_to_the_same_value() -> None:
    _append(1)
    stored = next(audit.iter_stored_entries())
    assert audit.entry_hash(stored) == stored["entry_hash"]


def _tamper(sql: str, params: list[Any]) -> None:
    """Change stored entries behind the application's back, as an attacker with SQL would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE sharing_auditentry DISABLE TRIGGER sharing_auditentry_append_only"
            )
        else:
            cursor.execute("DROP TRIGGER IF EXISTS sharing_auditentry_no_update")
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_verify_command_names_the_first_broken_entry_and_exits_1() -> None:
    _append(4)
    _tamper("UPDATE sharing_auditentry SET reason = %s WHERE sequence = %s", ["nothing to see", 2])
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit", "verify", stdout=out, stderr=err, no_progress=True)
    assert exit_info.value.code == 1
    assert "BROKEN at entry 2" in err.getvalue()
    assert "altered" in err.getvalue()


@pytest.mark.django_db
def test_verify_detects_a_deleted_entry() -> None:
    _append(4)
    _tamper("DELETE FROM sharing_auditentry WHERE sequence = %s", [3])
    report = audit.verify_stored_chain()
    assert report.first_broken_sequence == 3
    assert "missing" in report.problem


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
def test_concurrent_appends_never_fork_the_chain() -> None:
    import threading

    user = worker(agency(AgencyKind.POLICE))
    errors: list[BaseException] = []

    def append_many() -> None:
        try:
            for i in range(10):
                audit.record_access(user=user, action="view", outcome="permit", reason=f"t{i}")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=append_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    report = audit.verify_stored_chain()
    assert report.ok
    assert report.checked == 40


@pytest.mark.django_db
def test_verify_command_reports_an_intact_chain() -> None:
    _append(3)
    out = io.StringIO()
    call_command("audit", "verify", stdout=out, no_progress=True)
    assert "3 entries" in out.getvalue()
    assert "intact" in out.getvalue()


@pytest.mark.django_db
def test_removing_entries_from_the_end_is_detected_by_the_chain_head() -> None:
    entries = _append(3)
    head = AuditChainHead.objects.get()
    rows = [dict(r) for r in audit.iter_stored_entries()]
    report = verify_entries(rows[:-1], head=(head.last_sequence, head.last_hash))
    assert not report.ok
    assert report.first_broken_sequence == 3
    assert entries


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger is PostgreSQL")
def test_postgresql_refuses_to_update_an_audit_entry() -> None:
    _append(2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(sequence=1).update(outcome="permit", reason="rewritten")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger is PostgreSQL")
def test_postgresql_refuses_to_delete_an_audit_entry() -> None:
    _append(2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(sequence=2).delete()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM sharing_auditentry")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite trigger")
def test_sqlite_refuses_to_update_an_audit_entry() -> None:
    _append(1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(sequence=1).update(reason="rewritten")


# --- property: any edit, delete or reorder of any entry is detected ---------------------------

EDITABLE = [f for f in audit.HASHED_FIELDS if f not in {"sequence"}]


def _chain(n: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    prev = GENESIS_HASH
    for i in range(1, n + 1):
        row: dict[str, Any] = {
            "sequence": i,
            "occurred_at": "2026-11-23T06:00:00+00:00",
            "request_id": f"r{i}",
            "actor_id": i % 3,
            "actor_username": "u",
            "actor_agency": "a",
            "actor_role": "practitioner",
            "action": "view",
            "outcome": "permit",
            "purpose": "safeguarding",
            "family_public_id": f"F-{i}",
            "person_public_id": "",
            "categories": [{"provider": "p", "category": "health"}],
            "agreements": ["DSA-1 v1"],
            "consent_ref": "",
            "no_consent_reason": "",
            "relationship": "allocated_worker",
            "break_glass_id": None,
            "reason": "ok",
            "prev_hash": prev,
        }
        row["entry_hash"] = audit.entry_hash(row)
        prev = row["entry_hash"]
        rows.append(row)
    return rows


@st.composite
def tampering(draw: st.DrawFn) -> tuple[int, list[dict[str, Any]], list[dict[str, Any]]]:
    n = draw(st.integers(min_value=1, max_value=12))
    rows = _chain(n)
    original = [dict(r) for r in rows]
    kind = draw(st.sampled_from(["edit", "delete", "reorder", "edit_and_rehash"]))
    if kind == "reorder" and n < 2:
        kind = "edit"
    if kind == "edit":
        i = draw(st.integers(0, n - 1))
        name = draw(st.sampled_from(EDITABLE))
        value = draw(st.one_of(st.text(max_size=5), st.integers(), st.none()))
        if rows[i][name] == value:
            value = f"{value}-changed"
        rows[i] = {**rows[i], name: value}
    elif kind == "edit_and_rehash":
        # A forger who recomputes the edited entry's own hash still breaks the next link
        # (or, for the last entry, the chain head).
        i = draw(st.integers(0, n - 1))
        rows[i] = {**rows[i], "reason": rows[i]["reason"] + " (amended)"}
        rows[i]["entry_hash"] = audit.entry_hash(rows[i])
    elif kind == "delete":
        del rows[draw(st.integers(0, n - 1))]
    else:
        i = draw(st.integers(0, n - 2))
        j = draw(st.integers(i + 1, n - 1))
        rows[i], rows[j] = rows[j], rows[i]
    return n, original, rows


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tampering())
@pytest.mark.pipeline
def test_any_edit_delete_or_reorder_of_any_entry_is_detected(
    case: tuple[int, list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    _, original, tampered = case
    head = (original[-1]["sequence"], original[-1]["entry_hash"])
    assert verify_entries(original, head=head).ok
    report = verify_entries(tampered, head=head)
    assert not report.ok
    assert report.first_broken_sequence is not None
    assert report.problem
