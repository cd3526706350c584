"""Template filters for the review pages."""

from __future__ import annotations

from django import template
from django.db.models import Q

from wraparound.matching.models import ReviewPair
from wraparound.matching.review_queue import held_back_reason, linked_since, pending

register = template.Library()


@register.filter
def held_back(why: object) -> str:
    """``{{ pair.why|held_back }}``: why a rule held the pair back, or ""."""
    return held_back_reason(why)


@register.simple_tag
def next_pending_pair(review: ReviewPair) -> ReviewPair | None:
    """The pair after ``review`` in the queue's default order (for "skip")."""
    later = (
        pending()
        .exclude(pk=review.pk)
        .filter(
            Q(match_probability__lt=review.match_probability)
            | Q(match_probability=review.match_probability, pk__gt=review.pk)
        )
    )
    return later.order_by("-match_probability", "pk").first() or (
        pending().exclude(pk=review.pk).order_by("-match_probability", "pk").first()
    )


@register.simple_tag
def linkage_after(moment: object) -> object:
    """``{% linkage_after extract.received_at as run %}``: the run that linked an import."""
    return linked_since(moment)
