"""Home cards for information governance officers: approvals and emergency access to review."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.urls import reverse

from wraparound.core.home import HomeCard
from wraparound.core.models import Role
from wraparound.sharing.models import AgreementParty, AgreementStatus
from wraparound.sharing.selectors import review_queue


def awaiting_approval_by(user: Any) -> list[AgreementParty]:
    """Draft agreements naming the user's agency whose current version it has not approved."""
    return list(
        AgreementParty.objects.filter(
            agency_id=user.agency_id, agreement__status=AgreementStatus.DRAFT
        )
        .exclude(approved_version=F("agreement__version"))
        .select_related("agreement")
        .order_by("agreement__reference")
    )


def home_cards(user: Any) -> list[HomeCard]:
    if user.role != Role.IG_OFFICER:
        return []
    approvals = awaiting_approval_by(user)
    grants = review_queue(user).count()
    return [
        HomeCard(
            title="Agreements awaiting your agency's approval",
            count=len(approvals),
            url=reverse("sharing:agreement", kwargs={"pk": approvals[0].agreement_id})
            if len(approvals) == 1
            else reverse("sharing:agreements"),
            link_text="Review the agreement" if len(approvals) == 1 else "See agreements",
            description="Drafts your agency is a party to. Nothing is shared under them until "
            "every party approves.",
            needs_action=bool(approvals),
        ),
        HomeCard(
            title="Emergency access to review",
            count=grants,
            url=reverse("sharing:break-glass-queue"),
            link_text="Review emergency access",
            description="Break-glass uses that reached your agency's data, waiting for an "
            "information governance review.",
            needs_action=grants > 0,
        ),
    ]
