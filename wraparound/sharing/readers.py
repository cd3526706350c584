"""Who reads: the few attributes of a signed-in person that the policy and the gate use.

A protocol rather than the ``User`` model, so the policy states exactly what it depends on
(agency, role, identity for the audit) and tests or commands may pass any such object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from wraparound.core.models import Agency


@runtime_checkable
class Reader(Protocol):
    """A person asking to read or change data: their agency, their role, who they are."""

    @property
    def pk(self) -> Any: ...

    @property
    def username(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def agency_id(self) -> int | None: ...

    @property
    def agency(self) -> Agency | None: ...

    @property
    def is_authenticated(self) -> bool: ...


def agency_name(reader: Reader) -> str:
    """The reader's agency name for messages ("your agency" when they have none)."""
    return reader.agency.name if reader.agency is not None else "your agency"
