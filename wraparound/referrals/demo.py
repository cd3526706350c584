"""Demo referrals: one in every state, deterministic, from the early help practitioner's
caseload to partners with an agreement (DSA-002, early help coordination with consent).

Runs after casework has allocated caseloads. Times are set relative to when the demo loads
(working days back from today), then the clock ticks once at "now", so the front door always
shows a referral to decide, one overdue and escalated, and one expired without a decision.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from wraparound.core import working_days
from wraparound.core.models import User
from wraparound.referrals import services
from wraparound.referrals.clock import tick
from wraparound.referrals.models import Referral
from wraparound.referrals.rules import ReferralDraft
from wraparound.referrals.suggestions import FamilyFit, suggest
from wraparound.sharing.models import CareRelationship

SENDER = "hcc-early-help-practitioner"
REASONS = {
    "secure_housing": "Rent arrears for three months and a notice seeking possession; mother "
    "is worried about losing the home and the children's school places.",
    "family_relationships": "Parents separated in the summer and arguments at handover upset the "
    "children; mother asks for parenting support and someone to talk to.",
    "early_years": "Youngest child (2) has little speech; mother is isolated since moving and "
    "would like a group to go to with other parents.",
    "domestic_abuse": "Mother disclosed controlling behaviour by her ex-partner, who still has "
    "keys; she wants advice and support to stay safe with the children.",
    "financial_stability": "Universal Credit was stopped after a missed appointment; the family "
    "has used the food bank twice this month.",
    "education": "Eldest child's attendance fell to 84% this term after a move; the school "
    "asks for help with the morning routine and transport.",
}


def _working_days_ago(days: int, hour: int = 10) -> dt.datetime:
    day = timezone.localdate()
    counted = 0
    while counted < days:
        day -= dt.timedelta(days=1)
        counted += working_days.is_working_day(day)
    while not working_days.is_working_day(day):
        day -= dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).select_related("agency").first()


def _draft(
    family: str,
    to: User,
    need: str,
    *,
    urgent: bool = False,
    service: Any = None,
    suggestion: dict[str, Any] | None = None,
) -> ReferralDraft:
    return ReferralDraft(
        family_public_id=family,
        to_agency_id=to.agency_id,
        to_service_id=str(service) if service else "",
        purpose="early_help_coordination",
        reason=REASONS[need],
        needs=[need],
        urgency="urgent" if urgent else "standard",
        consent_basis="given",
        consent_given_by="Mother",
        consent_method="in_person",
        shared_categories=["identity", "contact", "early_help"],
        suggestion=suggestion or {},
    )


def load_demo(context: dict[str, Any]) -> str:
    if Referral.objects.exists():
        return "referrals already loaded"
    sender = _user(SENDER)
    if sender is None:
        return "no early help practitioner to refer from"
    families = list(
        CareRelationship.objects.filter(user=sender, ended_at__isnull=True)
        .order_by("family_public_id")
        .values_list("family_public_id", flat=True)
    )
    partners = {
        slug: _user(f"{slug}-practitioner")
        for slug in (
            "hartshire-homes",
            "home-start-hartshire",
            "hartshire-childrens-centres",
            "hartshire-womens-aid",
            "hcc-education",
        )
    }
    found = {slug: user for slug, user in partners.items() if user is not None}
    if len(families) < 3 or len(found) < len(partners):
        return "too few demo families or partners for referrals"
    homes, home_start = found["hartshire-homes"], found["home-start-hartshire"]
    centres, womens_aid = found["hartshire-childrens-centres"], found["hartshire-womens-aid"]
    school = found["hcc-education"]
    f = (families * 3)[:8]
    made: list[Referral] = []

    def send(family: str, to: User, need: str, days_ago: int, **kw: Any) -> Referral:
        referral = services.send_referral(
            by=sender, draft=_draft(family, to, need, **kw), now=_working_days_ago(days_ago)
        )
        made.append(referral)
        return referral

    # Sent today, waiting for a decision at the housing front door.
    send(f[0], homes, "secure_housing", 0)
    # Urgent, sent two working days ago, nobody decided: overdue and escalated at the tick.
    send(f[1], womens_aid, "domestic_abuse", 2, urgent=True)
    # Home-Start asked for more information; the early help worker has not answered yet.
    asked = send(f[2], home_start, "family_relationships", 1)
    services.request_information(
        by=home_start,
        referral=asked,
        question="Are both parents happy for a volunteer to visit at home, and which days suit?",
        now=_working_days_ago(0, 9),
    )
    # Accepted by the children's centres, from the 'available locally' suggestion it followed.
    offered = suggest(FamilyFit(["early_years"], [2.0], ""), limit=5)
    centre_service = next(
        (s for s in offered if s.organization.startswith("Hartshire Children")), None
    )
    accepted = send(
        f[3],
        centres,
        "early_years",
        4,
        service=centre_service.service_id if centre_service else None,
        suggestion=centre_service.record([s.service_id for s in offered])
        if centre_service
        else None,
    )
    services.accept_referral(
        by=centres,
        referral=accepted,
        note="Stay and play on Tuesday mornings",
        now=_working_days_ago(3),
    )
    # Declined with a coded reason and a signpost.
    declined = send(f[4], school, "education", 3)
    services.decline_referral(
        by=school,
        referral=declined,
        reason_code="not_this_service",
        signpost="The school's own attendance officer, Mrs Price, on 01632 960123; then a school nurse referral if needed.",
        now=_working_days_ago(2),
    )
    # Withdrawn by the sender after the family's needs changed.
    withdrawn = send(f[5], homes, "financial_stability", 6)
    services.withdraw_referral(
        by=sender,
        referral=withdrawn,
        reason_code="needs_changed",
        note="Benefit reinstated.",
        now=_working_days_ago(5),
    )
    # Expired: nobody decided within five working days and the three after.
    send(f[6], home_start, "family_relationships", 15)
    # Accepted long ago and closed when support finished.
    closed = send(f[7], centres, "early_years", 30)
    services.accept_referral(by=centres, referral=closed, now=_working_days_ago(29))
    services.close_referral(
        by=centres, referral=closed, reason_code="support_completed", now=_working_days_ago(5)
    )
    result = tick()
    return f"{len(made)} referrals in every state; clock: {result.describe()}"
