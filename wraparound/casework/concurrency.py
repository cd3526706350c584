"""No lost updates: a save names the version it started from and is refused if it is stale.

The check and the write are one conditional UPDATE (``WHERE pk = .. AND version = ..``), so
two writers racing on SQLite or PostgreSQL cannot both win: the second matches no row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import F
from django.utils import timezone


class CaseworkError(Exception):
    """A casework action was refused; the message says what to do instead."""


@dataclass(frozen=True)
class Change:
    """One field that differs between what is saved now and what the editor wanted."""

    field: str
    saved: str
    yours: str


class StaleEditError(CaseworkError):
    """Someone saved this record after you opened it; nothing of yours was saved."""

    def __init__(self, *, label: str, saved_by: str, saved_at: Any, changes: list[Change]):
        self.label, self.saved_by, self.saved_at, self.changes = label, saved_by, saved_at, changes
        when = timezone.localtime(saved_at).strftime("%-d %B %Y %H:%M") if saved_at else ""
        listed = "; ".join(f"{c.field} is now {c.saved!r} (you had {c.yours!r})" for c in changes)
        super().__init__(
            f"{label} was changed by {saved_by} at {when} after you opened it, so your changes "
            f"were not saved. {listed or 'The values are the same but the record moved on.'} "
            "Check the current version and make your change again."
        )


def _shown(model: type[models.Model], name: str, value: Any) -> str:
    """A value as a person reads it: a choice's label, a related object's name."""
    choices = dict(model._meta.get_field(name).flatchoices)  # type: ignore[union-attr]
    if choices:
        return str(choices.get(value, value))
    return "" if value is None else str(value)


def save_if_current(
    obj: models.Model,
    *,
    expected_version: int,
    by: Any,
    changes: dict[str, Any],
    label: str,
    labels: dict[str, str] | None = None,
) -> None:
    """Apply ``changes`` to ``obj`` only if its saved version is still ``expected_version``.

    Raises StaleEditError listing, for each field the editor set, the value saved now where it
    differs from theirs. On success ``obj`` holds the new values and version.
    """
    model = type(obj)
    now = timezone.now()
    updated = model._default_manager.filter(pk=obj.pk, version=expected_version).update(  # type: ignore[attr-defined]
        **changes, version=F("version") + 1, updated_at=now, updated_by=by
    )
    if not updated:
        current = model._default_manager.select_related("updated_by").get(pk=obj.pk)  # type: ignore[attr-defined]
        names = labels or {}
        differences = []
        for name, value in changes.items():
            saved, yours = _shown(model, name, getattr(current, name)), _shown(model, name, value)
            if saved != yours:
                differences.append(Change(names.get(name, name.replace("_", " ")), saved, yours))
        saved_by = str(getattr(current, "updated_by", None) or "someone")
        raise StaleEditError(
            label=label,
            saved_by=saved_by,
            saved_at=getattr(current, "updated_at", None),
            changes=differences,
        )
    obj.refresh_from_db()
