"""Formatting for evaluation figures: risk differences in percentage points, rates in %."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def points(value: Any) -> str:
    """0.0123 -> '+1.2 points'."""
    if value is None or value != value:
        return "n/a"
    return f"{100 * float(value):+.1f} points"


@register.filter
def percent(value: Any) -> str:
    if value is None or value != value:
        return "n/a"
    return f"{100 * float(value):.1f}%"


@register.filter
def num(value: Any, digits: int = 2) -> str:
    if value is None or value != value:
        return "n/a"
    return f"{float(value):.{int(digits)}f}"


@register.filter
def lookup(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, key) if isinstance(mapping, dict) else key
