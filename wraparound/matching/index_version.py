"""The index's version: one number, advanced by every write to the master index.

A linkage run reads the index, links for a minute or more, then writes. Anything that
changes the index in between (another run's save, a reviewer's merge or split) would be
overwritten by a write made from the older reading, or would meet it half way. So a run
notes the version before it reads anything, and its save advances the version only from
that number, in the save's own transaction: a run that read an index since changed writes
nothing and says why. Merges and splits advance it too.

The row is locked for the rest of the writing transaction (``SELECT ... FOR UPDATE`` on
PostgreSQL; on SQLite every write transaction already holds the database's one write lock
from its start, see ``settings.py``), so two writers cannot both pass the check.
"""

from __future__ import annotations

from django.db import connection

from wraparound.core.singleton_rows import locked_singleton
from wraparound.matching.models import IndexVersion
from wraparound.matching.pipeline import LinkageError

VERSION_ID = 1


class IndexChangedError(LinkageError):
    """The index was written after this run read it; the run wrote nothing."""


def current() -> int:
    """The version now (0 before anything has written the index)."""
    number = IndexVersion.objects.filter(pk=VERSION_ID).values_list("number", flat=True).first()
    return number or 0


def advance(*, expected: int | None = None) -> int:
    """Advance the version inside the transaction that writes the index; with ``expected``,
    only if nothing has advanced it since that reading."""
    if not connection.in_atomic_block:
        raise RuntimeError("advance the index version inside the transaction that writes it")
    version = _locked()
    if expected is not None and version.number != expected:
        raise IndexChangedError(
            "The index changed while this run was linking (another linkage run saved it, or "
            "a reviewer merged or split people): nothing was written. Run the linkage again; "
            "it will start from the index as it is now."
        )
    version.number += 1
    version.save(update_fields=["number"])
    return version.number


def _locked() -> IndexVersion:
    return locked_singleton(IndexVersion, VERSION_ID, number=0)
