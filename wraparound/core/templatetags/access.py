"""``{% if user|may_open:"training:not-together" %}``: show a link only to those it admits."""

from __future__ import annotations

from typing import Any

from django import template

from wraparound.core.access import may_open as user_may_open

register = template.Library()


@register.filter
def may_open(user: Any, url_name: str) -> bool:
    return user_may_open(user, url_name)
