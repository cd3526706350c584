"""One-row tables locked for a writing transaction: the audit chain's head, the index version.

Each serialises its writers on one row. The row is made on first use; two processes may race
to make it, so the loser's insert fails on the primary key (inside its own savepoint, leaving
the caller's transaction usable) and it locks the winner's row instead. ``SELECT ... FOR
UPDATE`` holds the row to the end of the caller's transaction on PostgreSQL; on SQLite every
write transaction already holds the database's one write lock from its start (``settings.py``).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction

Row = TypeVar("Row", bound=models.Model)


def locked_singleton(model: type[Row], pk: int, **first_values: Any) -> Row:
    """The row ``pk`` of ``model``, locked; made with ``first_values`` if it does not exist.

    Call inside ``transaction.atomic()``: the lock lasts as long as the caller's transaction.
    """
    rows = model._default_manager.select_for_update()
    row = rows.filter(pk=pk).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            model._default_manager.create(pk=pk, **first_values)
    except IntegrityError:
        pass  # another writer made it first: lock theirs
    return rows.get(pk=pk)
