"""The tamper-evident access log: every decision, export, disclosure and change, hash-chained.

Each entry's hash covers a canonical JSON of all its fields, including the previous entry's
hash, so editing, deleting or reordering any entry breaks the chain from that point on
(a plain hash chain, see governance notes A7). Appends are serialised by locking the single
chain-head row, so two requests can never both extend the chain from the same entry.

A hash chain alone cannot show what happened at its end: rows removed from the end (or the
whole table emptied, head included) leave a shorter chain that is still consistent, and a row
slipped in after the head looks like the next entry. So the head is also anchored outside the
database: a checkpoint file under the var folder (``AUDIT_CHECKPOINT_FILE``) holding the
sequence and hash of the last verified entry, signed with an HMAC key held in settings
(``AUDIT_CHECKPOINT_KEY``). ``verify`` compares the table with it and then moves it forward;
appends move it forward every ``CHECKPOINT_EVERY`` entries once they commit.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from wraparound.core.singleton_rows import locked_singleton
from wraparound.sharing.models import AuditAction, AuditChainHead, AuditEntry, AuditOutcome

GENESIS_HASH = "0" * 64
HEAD_ID = 1
CHECKPOINT_EVERY = 100
logger = logging.getLogger(__name__)
# Every field that the hash covers, in the canonical order (the JSON is key-sorted anyway).
HASHED_FIELDS: tuple[str, ...] = (
    "sequence",
    "occurred_at",
    "request_id",
    "actor_id",
    "actor_username",
    "actor_agency",
    "actor_role",
    "action",
    "outcome",
    "purpose",
    "family_public_id",
    "person_public_id",
    "categories",
    "agreements",
    "consent_ref",
    "no_consent_reason",
    "relationship",
    "break_glass_id",
    "reason",
    "prev_hash",
)


class AuditError(Exception):
    """An audit entry could not be written; the access it was recording must not go ahead."""


def _canonical_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return value


def canonical_json(fields: dict[str, Any]) -> bytes:
    """The exact bytes hashed for an entry: sorted keys, no spaces, UTC ISO timestamps."""
    data = {name: _canonical_value(fields.get(name)) for name in HASHED_FIELDS}
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(fields)).hexdigest()


def _locked_head() -> AuditChainHead:
    return locked_singleton(AuditChainHead, HEAD_ID, last_sequence=0, last_hash=GENESIS_HASH)


def access_fields(
    *,
    user: Any,
    action: str,
    outcome: str,
    purpose: str = "",
    family_public_id: str = "",
    person_public_id: str = "",
    categories: Sequence[dict[str, Any]] = (),
    agreements: Sequence[str] = (),
    consent_ref: str = "",
    no_consent_reason: str = "",
    relationship: str = "",
    break_glass_id: int | None = None,
    reason: str = "",
    request_id: str | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The fields of one entry (not yet chained), checked; see ``record_access``."""
    if action not in AuditAction.values:
        raise AuditError(f"Unknown audit action {action!r}: use one of {AuditAction.values}.")
    if outcome not in AuditOutcome.values:
        raise AuditError(f"Unknown audit outcome {outcome!r}: use permit or deny.")
    agency = getattr(user, "agency", None) if user is not None else None
    return {
        "occurred_at": (now or timezone.now()).astimezone(dt.UTC),
        "request_id": request_id or "",
        "actor_id": getattr(user, "pk", None),
        "actor_username": getattr(user, "username", "") or "",
        "actor_agency": agency.slug if agency is not None else "",
        "actor_role": getattr(user, "role", "") or "",
        "action": action,
        "outcome": outcome,
        "purpose": purpose,
        "family_public_id": family_public_id or "",
        "person_public_id": person_public_id or "",
        # Round-trip through JSON so the hash covers exactly what the database returns.
        "categories": json.loads(json.dumps([dict(c) for c in categories])),
        "agreements": list(agreements),
        "consent_ref": consent_ref,
        "no_consent_reason": no_consent_reason,
        "relationship": relationship,
        "break_glass_id": break_glass_id,
        "reason": reason,
    }


def _next_free_sequence(head: AuditChainHead) -> int:
    """The last sequence number taken: the head's, or past rows someone slipped in after it.

    A row inserted behind the application's back after the head would otherwise make every
    later append fail on the unique sequence, and so every audited page. Appends go on past
    it, still linked to the head's hash, so ``verify`` reports the break at the foreign row.
    """
    highest = AuditEntry.objects.filter(sequence__gt=head.last_sequence).aggregate(
        highest=Max("sequence")
    )["highest"]
    if highest is None:
        return head.last_sequence
    logger.error(
        "audit: entries %s..%s lie after the chain head (%s) and were not written by "
        "Wraparound; appending after them. Run `wraparound audit verify`.",
        head.last_sequence + 1,
        highest,
        head.last_sequence,
    )
    return int(highest)


def append(entries: Sequence[dict[str, Any]]) -> list[AuditEntry]:
    """Chain and store entries (from ``access_fields``) under one lock of the chain head."""
    if not entries:
        return []
    with transaction.atomic():
        head = _locked_head()
        made = []
        sequence, previous = _next_free_sequence(head), head.last_hash
        for fields in entries:
            sequence += 1
            chained = {**fields, "sequence": sequence, "prev_hash": previous}
            previous = entry_hash(chained)
            made.append(AuditEntry(entry_hash=previous, **chained))
        AuditEntry.objects.bulk_create(made)
        crossed = sequence // CHECKPOINT_EVERY > head.last_sequence // CHECKPOINT_EVERY
        head.last_sequence, head.last_hash = sequence, previous
        head.save(update_fields=["last_sequence", "last_hash"])
        if crossed:
            at, digest = sequence, previous
            transaction.on_commit(lambda: write_checkpoint(at, digest))
    return made


def record_access(**kwargs: Any) -> AuditEntry:
    """Append one entry to the chain (in the caller's transaction, if there is one).

    Takes the keyword arguments of ``access_fields``. ``categories`` items are small dicts
    such as ``{"provider": "hartshire-police", "category": "police", "outcome": "deny"}``.
    """
    return append([access_fields(**kwargs)])[0]


@dataclass(frozen=True)
class ChainReport:
    """The result of checking the chain: how many entries were good and the first problem."""

    checked: int
    first_broken_sequence: int | None = None
    problem: str = ""
    last_hash: str = GENESIS_HASH

    @property
    def ok(self) -> bool:
        return self.first_broken_sequence is None and not self.problem


def verify_entries(
    entries: Iterable[dict[str, Any]], head: tuple[int, str] | None = None
) -> ChainReport:
    """Check a sequence of entries (dicts of the hashed fields plus ``entry_hash``), in order.

    Stops at the first problem and names it: a gap or reordering in the sequence numbers,
    an entry whose contents no longer match its hash, or one not linked to its predecessor.
    ``head`` (last sequence, last hash) as recorded at append time also catches entries
    removed from the end of the log, which leave no gap.
    """
    previous_hash = GENESIS_HASH
    expected = 1
    checked = 0
    for entry in entries:
        sequence = entry.get("sequence")
        if sequence != expected:
            what = f"entry {expected} is missing or out of order (found sequence {sequence} there)"
            return ChainReport(checked, expected, what, previous_hash)
        if entry_hash(entry) != entry.get("entry_hash"):
            return ChainReport(
                checked,
                expected,
                f"entry {expected} was altered: its contents no longer match its hash",
                previous_hash,
            )
        if entry.get("prev_hash") != previous_hash:
            return ChainReport(
                checked,
                expected,
                f"entry {expected} does not follow entry {expected - 1}: its previous-hash "
                "link is wrong (an entry before it was replaced or reordered)",
                previous_hash,
            )
        previous_hash = entry["entry_hash"]
        expected += 1
        checked += 1
    if head is not None and (head[0] != checked or head[1] != previous_hash):
        return ChainReport(
            checked,
            checked + 1,
            f"the chain head records {head[0]} entries but the log ends at entry {checked}: "
            "entries were removed from the end, or the head was altered",
            previous_hash,
        )
    return ChainReport(checked, None, "", previous_hash)


def iter_stored_entries(
    up_to: int | None = None, chunk_size: int = 2000
) -> Iterator[dict[str, Any]]:
    """Stored entries in sequence order, as dicts of the fields ``verify_entries`` needs."""
    queryset = AuditEntry.objects.order_by("sequence")
    if up_to is not None:
        queryset = queryset.filter(sequence__lte=up_to)
    queryset = queryset.values(*HASHED_FIELDS, "entry_hash")
    yield from queryset.iterator(chunk_size=chunk_size)


def _head_and_first_beyond() -> tuple[tuple[int, str], int | None]:
    """The recorded head, and the first entry after it, read together under the head's lock.

    Locking the head (for a moment) means no append is half-way between writing its entries
    and moving the head, so any entry beyond the head was not written by Wraparound.
    """
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=HEAD_ID).first()
        recorded = (head.last_sequence, head.last_hash) if head else (0, GENESIS_HASH)
        beyond = (
            AuditEntry.objects.filter(sequence__gt=recorded[0])
            .order_by("sequence")
            .values_list("sequence", flat=True)
            .first()
        )
    return recorded, beyond


def verify_stored_chain(
    progress: Callable[[int], None] | None = None, *, write: bool = False
) -> ChainReport:
    """Check every stored entry, the chain head, and the signed checkpoint outside the database.

    The head check catches entries removed from the end of the log while the head stayed; the
    checkpoint catches the end removed together with the head (or the table emptied); an entry
    after the head was inserted from outside. With ``write``, a good chain moves the
    checkpoint up to the head. The head is read first, so entries appended while the check
    runs are left for next time.
    """
    recorded, beyond = _head_and_first_beyond()

    def counted() -> Iterator[dict[str, Any]]:
        for entry in iter_stored_entries(up_to=recorded[0]):
            yield entry
            if progress:
                progress(1)

    report = verify_entries(counted(), head=recorded)
    if not report.ok:
        return report
    if beyond is not None:
        return ChainReport(
            report.checked,
            beyond,
            f"entry {beyond} lies after the chain head (entry {recorded[0]}): it was inserted "
            "outside Wraparound",
            report.last_hash,
        )
    against = _against_checkpoint(report)
    if against is not None:
        return against
    if write:
        write_checkpoint(report.checked, report.last_hash)
    return report


# --- The checkpoint outside the database ------------------------------------------------------


class AuditCheckpointError(Exception):
    """The checkpoint file is unreadable or its signature does not match its contents."""


@dataclass(frozen=True)
class Checkpoint:
    """The last entry known good, as signed into the checkpoint file."""

    sequence: int
    entry_hash: str
    written_at: str


def checkpoint_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_FILE)


def _signature(sequence: int, entry_hash: str, written_at: str) -> str:
    key = str(settings.AUDIT_CHECKPOINT_KEY).encode()
    message = f"wraparound-audit-checkpoint|{sequence}|{entry_hash}|{written_at}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def read_checkpoint() -> Checkpoint | None:
    """The signed checkpoint, None if none was written yet; AuditCheckpointError if forged."""
    path = checkpoint_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise AuditCheckpointError(
            f"the checkpoint file {path} cannot be read ({error})"
        ) from error
    try:
        checkpoint = Checkpoint(
            int(data["sequence"]), str(data["entry_hash"]), str(data["written_at"])
        )
        signature = str(data["signature"])
    except (KeyError, TypeError, ValueError) as error:
        raise AuditCheckpointError(f"the checkpoint file {path} is incomplete") from error
    expected = _signature(checkpoint.sequence, checkpoint.entry_hash, checkpoint.written_at)
    if not hmac.compare_digest(signature, expected):
        raise AuditCheckpointError(
            f"the checkpoint file {path} does not match its signature: it was altered, or "
            "WRAPAROUND_AUDIT_KEY changed"
        )
    return checkpoint


def write_checkpoint(sequence: int, entry_hash: str) -> None:
    """Move the checkpoint forward to ``sequence`` (never back), atomically, under a file lock."""
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            current = read_checkpoint()
        except AuditCheckpointError:
            return  # never paper over a forged checkpoint: verify reports it
        if current is not None and current.sequence >= sequence:
            return
        written_at = timezone.now().astimezone(dt.UTC).isoformat()
        data = {
            "sequence": sequence,
            "entry_hash": entry_hash,
            "written_at": written_at,
            "signature": _signature(sequence, entry_hash, written_at),
        }
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(temporary, path)


def _against_checkpoint(report: ChainReport) -> ChainReport | None:
    """A problem report if the stored chain falls short of, or differs from, the checkpoint."""
    try:
        checkpoint = read_checkpoint()
    except AuditCheckpointError as error:
        return ChainReport(report.checked, None, str(error), report.last_hash)
    if checkpoint is None:
        return None
    if report.checked < checkpoint.sequence:
        return ChainReport(
            report.checked,
            report.checked + 1,
            f"the log ends at entry {report.checked} but the signed checkpoint of "
            f"{checkpoint.written_at} recorded {checkpoint.sequence} entries: entries were "
            f"deleted from the end or the log was emptied (if this database was replaced on "
            f"purpose, archive {checkpoint_path()} and verify again)",
            report.last_hash,
        )
    stored = (
        AuditEntry.objects.filter(sequence=checkpoint.sequence)
        .values_list("entry_hash", flat=True)
        .first()
    )
    if stored != checkpoint.entry_hash:
        return ChainReport(
            report.checked,
            checkpoint.sequence,
            f"entry {checkpoint.sequence} is not the one the signed checkpoint of "
            f"{checkpoint.written_at} recorded: the log was rewritten",
            report.last_hash,
        )
    return None
