"""Reading one referral for a person, and mapping page/API actions onto the services.

A referral's reason, children and shared information are the sending agency's record about
the family: they are read through the sharing gate under the referral's purpose, keyed by the
sending agency and its service category, so the receiving agency sees them through its pending
"referral to the agency" relationship and the agreement (or consent) recorded at sending.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.utils import timezone
from django_fsm_log.models import StateLog

from wraparound.directory.vocabulary import outcome_labels
from wraparound.referrals import services
from wraparound.referrals.catalogues import reasons
from wraparound.referrals.models import Referral, State
from wraparound.referrals.rules import CheckedReferral, ReferralDraft, individual_purposes
from wraparound.sharing import audit, gate
from wraparound.sharing.catalogues import catalogues, category_label, primary_category_for_kind
from wraparound.sharing.models import AuditAction, AuditOutcome

DONE = {
    "accept": "Referral {ref} accepted: your agency now works with the family",
    "decline": "Referral {ref} declined; the referrer has been told where to go instead",
    "request-information": "Your question about referral {ref} has been sent",
    "provide-information": "Your answer about referral {ref} has been sent",
    "withdraw": "Referral {ref} withdrawn",
    "close": "Referral {ref} closed",
}


def uuid_or_none(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


def referral_or_404(reference: str) -> Referral:
    referral = (
        Referral.objects.select_related(
            "from_agency", "to_agency", "sent_by", "to_service", "decided_by", "agreement"
        )
        .exclude(state=State.DRAFT)
        .filter(reference=reference)
        .first()
    )
    if referral is None:
        raise Http404(f"No referral {reference}.")
    return referral


def refuse_view(user: Any, referral: Referral, request_id: str) -> None:
    audit.record_access(
        user=user,
        action=AuditAction.VIEW,
        outcome=AuditOutcome.DENY,
        purpose=referral.purpose,
        family_public_id=referral.family_public_id,
        reason=f"Referral {referral.reference}: not a party to it",
        request_id=request_id,
    )


@dataclass
class HistoryLine:
    at: Any
    label: str
    by: str
    note: str


@dataclass
class ReferralView:
    """What the page shows: always the referral's workflow; its content only if permitted."""

    content_permitted: bool
    withheld_reason: str
    needs: list[str]
    shared: list[str]
    purpose: str
    history: list[HistoryLine] = field(default_factory=list)
    decline_reason: str = ""
    end_reason: str = ""


def read_referral(*, user: Any, referral: Referral, request_id: str = "") -> ReferralView:
    category = primary_category_for_kind(referral.from_agency.kind)
    filtered = gate.read(
        user=user,
        family_public_id=referral.family_public_id,
        purpose=referral.purpose,
        items=[referral],
        request_id=request_id,
        key=lambda r: (r.from_agency_id, category),
    )
    labels = outcome_labels()
    return ReferralView(
        content_permitted=bool(filtered.visible_items),
        withheld_reason="; ".join(w.reason for w in filtered.withheld)
        or filtered.decision.need_to_know_reason,
        needs=[labels.get(n, n) for n in referral.needs],
        shared=[category_label(c) for c in referral.shared_categories],
        purpose=individual_purposes().get(referral.purpose, referral.purpose),
        history=history(referral),
        decline_reason=reasons().decline.get(referral.decline_reason, ""),
        end_reason={**reasons().withdraw, **reasons().close}.get(referral.end_reason, ""),
    )


def history(referral: Referral) -> list[HistoryLine]:
    from wraparound.referrals.selectors import _LABELS

    logs = (
        StateLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Referral), object_id=referral.pk
        )
        .select_related("by")
        .order_by("timestamp", "id")
    )
    lines = [
        HistoryLine(
            log.timestamp,
            _LABELS.get(log.transition, log.transition),
            str(log.by) if log.by else "Wraparound (clock)",
            log.description or "",
        )
        for log in logs
    ]
    if referral.reminded_at:
        lines.append(HistoryLine(referral.reminded_at, "Reminder sent", "Wraparound (clock)", ""))
    if referral.escalated_at:
        lines.append(
            HistoryLine(
                referral.escalated_at,
                "Escalated to the team managers",
                "Wraparound (clock)",
                "Overdue",
            )
        )
    return sorted(lines, key=lambda line: line.at)


def actions_for(user: Any, referral: Referral) -> list[str]:
    """The actions this person may take on the referral in its current state."""
    decide, sender = (
        services.may_decide(user, referral),
        services.may_act_for_sender(user, referral),
    )
    found = []
    if decide and referral.state in (State.SENT, State.INFORMATION_REQUESTED):
        found += ["accept", "decline"]
        if referral.state == State.SENT:
            found.append("request-information")
    if sender and referral.state == State.INFORMATION_REQUESTED:
        found.append("provide-information")
    if sender and referral.state in (State.SENT, State.INFORMATION_REQUESTED, State.ACCEPTED):
        found.append("withdraw")
    if decide and referral.state == State.ACCEPTED:
        found.append("close")
    return found


def perform(
    action: str, *, by: Any, referral: Referral, data: dict[str, Any], request_id: str = ""
) -> Referral:
    """Run one named action with parsed data (shared by the pages and the JSON API)."""
    common = {"by": by, "referral": referral, "request_id": request_id}
    if action == "accept":
        return services.accept_referral(note=data.get("note", ""), **common)
    if action == "decline":
        return services.decline_referral(
            reason_code=data.get("decline_reason", ""), signpost=data.get("signpost", ""), **common
        )
    if action == "request-information":
        return services.request_information(question=data.get("question", ""), **common)
    if action == "provide-information":
        return services.provide_information(answer=data.get("answer", ""), **common)
    if action == "withdraw":
        return services.withdraw_referral(
            reason_code=data.get("withdraw_reason", ""), note=data.get("note", ""), **common
        )
    if action == "close":
        return services.close_referral(
            reason_code=data.get("close_reason", ""), note=data.get("note", ""), **common
        )
    raise services.ReferralError(f"Unknown action {action!r}: use one of {', '.join(DONE)}.")


def summarise_draft(draft: ReferralDraft, checked: CheckedReferral) -> list[tuple[str, str, str]]:
    """(question, answer, field to change) rows for the check-your-answers page."""
    labels = outcome_labels()
    cats = catalogues()
    consent = {
        "given": f"Yes: {draft.consent_given_by}",
        "without_consent": f"No, referred without consent under {draft.no_consent_condition}: {draft.no_consent_reason}",
        "not_required": "Not needed: the agreement's lawful basis does not rely on consent",
    }.get(draft.consent_basis, "")
    due = services.clock_for(draft.urgency, timezone.now()).due_at
    return [
        ("Family", draft.family_public_id, "family_public_id"),
        (
            "Referring to",
            checked.to_service.name + f" ({checked.to_agency.name})"
            if checked.to_service
            else checked.to_agency.name,
            "to_agency",
        ),
        ("What it is for", individual_purposes().get(draft.purpose, draft.purpose), "purpose"),
        ("Needs", ", ".join(labels.get(n, n) for n in draft.needs), "needs"),
        ("Why", draft.reason, "reason"),
        ("Urgency", "Urgent" if draft.urgency == "urgent" else "Standard", "urgency"),
        (
            "Decision due by",
            f"{timezone.localtime(due):%-d %B %Y} (end of the day, working days only)",
            "urgency",
        ),
        ("Family's agreement", consent, "consent_basis"),
        ("Lawful basis recorded", checked.lawful_basis, "consent_basis"),
        (
            "Information shared",
            ", ".join(cats.categories[c].label for c in draft.shared_categories),
            "shared_categories",
        ),
    ]
