"""The family page hook: ``{% referrals_panel page %}`` shows "send a referral" and the
services already available locally, computed from the family page's own gated read (no
further read of personal data: the directory is public)."""

from __future__ import annotations

from typing import Any

from django import template

from wraparound.referrals.suggestions import fit_from_page, suggest

register = template.Library()
FAMILY_PAGE_SUGGESTIONS = 5


@register.inclusion_tag("referrals/_family_panel.html", takes_context=True)
def referrals_panel(context: dict[str, Any], page: Any) -> dict[str, Any]:
    return {
        "family_public_id": page.family_public_id,
        "suggestions": suggest(fit_from_page(page), limit=FAMILY_PAGE_SUGGESTIONS),
        "request": context.get("request"),
    }
