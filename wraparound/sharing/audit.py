"""The tamper-evident access log: every decision, export, disclosure and change, hash-chained.

Each entry's hash covers a canonical JSON of all its fields, including the previous entry's
hash, so editing, deleting or reordering any entry breaks the chain from that point on
(a plain hash chain, see governance notes A7). Appends are serialised by locking the single
chain-head row, so two requests can never both extend the chain from the same entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from wraparound.sharing.models import AuditAction, AuditChainHead, AuditEntry, AuditOutcome

GENESIS_HASH = "0" * 64
HEAD_ID = 1
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
    head = AuditChainHead.objects.select_for_update().filter(pk=HEAD_ID).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(pk=HEAD_ID, last_sequence=0, last_hash=GENESIS_HASH)
    except IntegrityError:
        pass  # another process created it first; lock theirs
    return AuditChainHead.objects.select_for_update().get(pk=HEAD_ID)


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


def append(entries: Sequence[dict[str, Any]]) -> list[AuditEntry]:
    """Chain and store entries (from ``access_fields``) under one lock of the chain head."""
    if not entries:
        return []
    with transaction.atomic():
        head = _locked_head()
        made = []
        sequence, previous = head.last_sequence, head.last_hash
        for fields in entries:
            sequence += 1
            chained = {**fields, "sequence": sequence, "prev_hash": previous}
            previous = entry_hash(chained)
            made.append(AuditEntry(entry_hash=previous, **chained))
        AuditEntry.objects.bulk_create(made)
        head.last_sequence, head.last_hash = sequence, previous
        head.save(update_fields=["last_sequence", "last_hash"])
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


def verify_stored_chain(progress: Callable[[int], None] | None = None) -> ChainReport:
    """Check every stored entry, then that the chain head agrees with the last entry.

    The head check catches entries removed from the end of the log, which leave no gap.
    The head is read first, so entries appended while the check runs are left for next time.
    """
    head = AuditChainHead.objects.filter(pk=HEAD_ID).first()
    recorded = (head.last_sequence, head.last_hash) if head else (0, GENESIS_HASH)

    def counted() -> Iterator[dict[str, Any]]:
        for entry in iter_stored_entries(up_to=recorded[0]):
            yield entry
            if progress:
                progress(1)

    return verify_entries(counted(), head=recorded)
