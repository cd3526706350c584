"""A small partnership for referral tests: early help refers a family to housing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from wraparound.core.models import Agency, AgencyKind, Role
from wraparound.referrals.rules import ReferralDraft
from wraparound.sharing.models import SharingAgreement
from wraparound.sharing.tests import factories as sharing

FAMILY = "F-REFER001"
# Tuesday 1 December 2026, 10:00 London: a normal working day, weeks before Christmas.
TUESDAY = timezone.make_aware(dt.datetime(2026, 12, 1, 10, 0))


def family_in_index(public_id: str) -> None:
    """The family exists in the master index (consent and referrals are for real families)."""
    from wraparound.matching.models import Family

    Family.objects.get_or_create(public_id=public_id)


@dataclass
class Partnership:
    early_help: Agency
    housing: Agency
    police: Agency
    sender: Any
    sender_manager: Any
    receiver: Any
    receiver_manager: Any
    outsider: Any
    agreement: SharingAgreement


def partnership(*, consent_required: bool = False, conditions: tuple[str, ...] = ()) -> Partnership:
    early_help = sharing.agency(AgencyKind.EARLY_HELP, "early-help", "Early Help Hartshire")
    housing = sharing.agency(AgencyKind.HOUSING, "housing", "Hartshire Homes")
    police = sharing.agency(AgencyKind.POLICE, "police", "Hartshire Police")
    agreement = sharing.agreement(
        parties=[early_help, housing],
        shares=[(early_help, "early_help"), (early_help, "identity")],
        purposes=["early_help_coordination"],
        consent_required=consent_required,
        no_consent_conditions=conditions,
    )
    family_in_index(FAMILY)
    sender = sharing.worker(early_help, username="sender", email="sender@example.org")
    sharing.relationship(sender, FAMILY)
    return Partnership(
        early_help=early_help,
        housing=housing,
        police=police,
        sender=sender,
        sender_manager=sharing.worker(early_help, Role.TEAM_MANAGER, username="eh-manager"),
        receiver=sharing.worker(housing, username="receiver", email="receiver@example.org"),
        receiver_manager=sharing.worker(
            housing, Role.TEAM_MANAGER, username="housing-manager", email="hm@example.org"
        ),
        outsider=sharing.worker(police, username="outsider"),
        agreement=agreement,
    )


def draft(p: Partnership, **changes: Any) -> ReferralDraft:
    values: dict[str, Any] = {
        "family_public_id": FAMILY,
        "to_agency_id": p.housing.pk,
        "purpose": "early_help_coordination",
        "reason": "Rent arrears of three months and an eviction notice; mother is struggling.",
        "needs": ["financial_stability"],
        "urgency": "standard",
        "consent_basis": "given",
        "consent_given_by": "Mother",
        "consent_method": "in_person",
        "shared_categories": ["identity", "early_help"],
    }
    values.update(changes)
    return ReferralDraft(**values)
