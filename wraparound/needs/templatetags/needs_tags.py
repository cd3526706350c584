"""Template helpers for the targeting tables (looking up names and formatting rates)."""

from __future__ import annotations

from typing import Any

from django import template

from wraparound.needs.targeting import MatrixRow

register = template.Library()


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def rate(row: MatrixRow, name: str) -> str:
    return row.rate_display(name)
