"""Small-number suppression for aggregate tables, so no figure can identify a family.

Primary suppression hides every count from 1 to ``threshold - 1``. Secondary suppression then
hides further cells so that no hidden count can be worked out by subtraction: the table
declares which cells add up to which total ("groups", each listing the parts and the total),
and whenever a group has exactly one hidden cell, its smallest visible cell is hidden too,
repeating until no group has a lone hidden cell. Zero is shown: a zero cannot single anyone
out, and hiding it would hide the absence of need too.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

DEFAULT_THRESHOLD = 5
K = TypeVar("K", bound=Hashable)


class Suppression(StrEnum):
    SHOWN = "shown"
    PRIMARY = "primary"
    SECONDARY = "secondary"


@dataclass(frozen=True)
class Cell:
    """A count as published: its value is only for arithmetic inside this process."""

    value: int
    suppression: Suppression
    threshold: int

    @property
    def shown(self) -> bool:
        return self.suppression is Suppression.SHOWN

    def display(self) -> str:
        if self.suppression is Suppression.PRIMARY:
            return f"<{self.threshold}"
        if self.suppression is Suppression.SECONDARY:
            return "suppressed"
        return f"{self.value:,}"

    def export(self) -> int | str:
        """The value for CSV/JSON: the number when shown, otherwise the marker."""
        return self.value if self.shown else self.display()


def suppress(
    values: Mapping[K, int],
    groups: Iterable[Iterable[K]],
    *,
    threshold: int = DEFAULT_THRESHOLD,
) -> dict[K, Cell]:
    """Apply primary then secondary suppression to ``values`` given the additive ``groups``."""
    if threshold < 1:
        raise ValueError("The suppression threshold must be 1 or more (1 turns suppression off).")
    state = {
        key: Suppression.PRIMARY if 0 < value < threshold else Suppression.SHOWN
        for key, value in values.items()
    }
    group_list = [list(group) for group in groups]
    for group in group_list:
        unknown = [key for key in group if key not in state]
        if unknown:
            raise KeyError(f"Suppression group refers to cells that do not exist: {unknown}")
    changed = True
    while changed:
        changed = False
        for group in group_list:
            hidden = [key for key in group if state[key] is not Suppression.SHOWN]
            if len(hidden) != 1:
                continue
            visible = [key for key in group if state[key] is Suppression.SHOWN]
            if not visible:
                continue
            partner = min(visible, key=lambda key: (values[key], str(key)))
            state[partner] = Suppression.SECONDARY
            changed = True
    return {key: Cell(values[key], state[key], threshold) for key in values}
