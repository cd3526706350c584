"""Suppression by audience: how small a count each reader of an aggregate may see.

Publication-grade suppression (``settings.SUPPRESSION_THRESHOLD``) is for anything that leaves
the partnership: every export, every download. The agreement that permits the aggregate
purpose may set a lower threshold for named internal operational roles (a team manager
planning a locality's early help needs to see 3 families, not "suppressed"); those roles see
that threshold on the service's own pages. Both are stated on the page that shows the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from wraparound.sharing.models import AuditAction, SharingAgreement

LEAVES_THE_PARTNERSHIP = frozenset({AuditAction.EXPORT})


@dataclass(frozen=True)
class Audience:
    """The threshold applied to one reader, and the words that explain it."""

    threshold: int
    publication_threshold: int
    operational: bool
    agreement: str = ""
    roles: tuple[str, ...] = ()

    def statement(self) -> str:
        from wraparound.core.labels import roles_plural

        publication = (
            f"Exports and anything leaving the partnership hide counts below "
            f"{self.publication_threshold} (publication suppression)."
        )
        if not self.operational:
            return f"Counts below {self.threshold} are hidden. {publication}"
        return (
            f"You see counts down to {self.threshold}: {self.agreement} sets that threshold for "
            f"{roles_plural(self.roles)} on the partnership's own pages. {publication}"
        )


def publication_threshold() -> int:
    return int(settings.SUPPRESSION_THRESHOLD)


def audience_for(*, user: Any, action: str, agreement_id: int | None) -> Audience:
    """Publication suppression unless the use stays inside and the agreement names the role."""
    publication = publication_threshold()
    agreement = SharingAgreement.objects.filter(pk=agreement_id).first() if agreement_id else None
    lower = agreement.operational_suppression_threshold if agreement else None
    role = getattr(user, "role", None)
    if (
        agreement is None
        or action in LEAVES_THE_PARTNERSHIP
        or not lower
        or lower >= publication
        or role not in (agreement.operational_roles or [])
    ):
        return Audience(publication, publication, operational=False)
    return Audience(
        lower,
        publication,
        operational=True,
        agreement=f"{agreement.reference} v{agreement.version}",
        roles=tuple(agreement.operational_roles),
    )
