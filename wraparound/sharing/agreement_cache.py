"""A per-process cache of the agreements, invalidated through the policy generation token.

Every save or delete of an agreement, a party row or a shared category writes a new random
token (in the same transaction). ``decide`` reads the token (one indexed single-row read) and
reuses its loaded agreements while the token is unchanged. A random token rather than a
counter, so a rolled-back change can never leave a stale cache entry under a reused number.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from django.db.models.signals import post_delete, post_save

from wraparound.sharing.models import (
    AgreementParty,
    PolicyGeneration,
    SharedCategory,
    SharingAgreement,
)

GENERATION_ID = 1
_lock = threading.Lock()
_cached: tuple[str, list[SharingAgreement]] | None = None


def bump(**_: Any) -> None:
    """Signal receiver: the agreements changed, so every process must reload them."""
    PolicyGeneration.objects.update_or_create(
        pk=GENERATION_ID, defaults={"token": uuid.uuid4().hex}
    )


def connect_signals() -> None:
    for model in (SharingAgreement, AgreementParty, SharedCategory):
        post_save.connect(bump, sender=model, dispatch_uid=f"sharing-bump-save-{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"sharing-bump-del-{model.__name__}")


def _load() -> list[SharingAgreement]:
    return list(
        SharingAgreement.objects.prefetch_related("parties__agency", "shared_categories").order_by(
            "reference"
        )
    )


def all_agreements() -> list[SharingAgreement]:
    """Every agreement with its parties and shared categories, from cache when still current."""
    global _cached
    token = (
        PolicyGeneration.objects.filter(pk=GENERATION_ID).values_list("token", flat=True).first()
    )
    if token is None:
        return _load()
    with _lock:
        if _cached is not None and _cached[0] == token:
            return _cached[1]
    loaded = _load()
    with _lock:
        _cached = (token, loaded)
    return loaded
