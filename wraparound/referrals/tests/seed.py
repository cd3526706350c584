"""Seed for the access-by-role test: a referral between two agencies no test user belongs to,
and a notification for someone else, so every role is refused the one and cannot open the other."""

from __future__ import annotations

from typing import Any

from wraparound.core.models import AgencyKind, Role
from wraparound.core.tests.factories import AgencyFactory, UserFactory
from wraparound.notifications.models import Notification
from wraparound.referrals.models import Referral, State

SEEDED_REASON = "Quentin Albermarle-Fotheringay's rent arrears (seeded referral)."


def seed(context: dict[str, Any]) -> None:
    sender_agency = AgencyFactory(
        slug="seed-early-help", name="Seed Early Help", kind=AgencyKind.EARLY_HELP
    )
    receiver_agency = AgencyFactory(
        slug="seed-housing", name="Seed Housing", kind=AgencyKind.HOUSING
    )
    sender = UserFactory(username="seed-referrer", agency=sender_agency, role=Role.PRACTITIONER)
    referral = Referral.objects.create(
        reference="R-SEED1",
        family_public_id="F-ACCESS01",
        purpose="early_help_coordination",
        from_agency=sender_agency,
        sent_by=sender,
        to_agency=receiver_agency,
        reason=SEEDED_REASON,
        needs=["secure_housing"],
        consent_basis="given",
        consent_given_by="Seed",
        shared_categories=["identity"],
        state=State.SENT,
    )
    context["referral"] = referral
    context.setdefault("personal_values", []).append(SEEDED_REASON)
    context["notification"] = Notification.objects.create(
        recipient=sender, kind="seed", subject="Seeded notification"
    )
