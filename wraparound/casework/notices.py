"""Telling people about casework: in the app, and by email once the change is stored.

Each service calls one of these inside its own transaction, through
``notifications.services.notify``: the notification rows commit with the change and the
emails go after commit. Like every notification they say what happened and link to where
to act, never what the record holds (no note text, no action description): the page behind
the link reads the record through the sharing policy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from wraparound.casework.models import CaseTransfer, FamilyCase
from wraparound.core.models import Role, User
from wraparound.notifications.services import notify


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.username)


def _family_link(family_public_id: str, name: str = "casework:family", **extra: Any) -> str:
    return reverse(name, kwargs={"family_public_id": family_public_id, **extra})


def managers_of(agency_id: int | None) -> list[User]:
    """The active team managers of an agency (who accept transfers and hear of late work)."""
    if agency_id is None:
        return []
    return list(User.objects.filter(agency_id=agency_id, role=Role.TEAM_MANAGER, is_active=True))


def tell(
    recipients: Iterable[Any],
    *,
    kind: str,
    family_public_id: str,
    subject: str,
    body: str = "",
    link: str = "",
    not_to: Any = None,
) -> None:
    """One casework notification (not to the person who caused it, who knows already)."""
    people = [u for u in recipients if u is not None and (not_to is None or u.pk != not_to.pk)]
    if people:
        notify(
            recipients=people,
            kind=kind,
            subject=f"Family {family_public_id}: {subject}",
            body=body,
            link=link or _family_link(family_public_id),
            family_public_id=family_public_id,
        )


def action_assigned(*, by: Any, case: FamilyCase, owner: Any, due_on: dt.date) -> None:
    tell(
        [owner],
        kind="casework_action_assigned",
        family_public_id=case.family_public_id,
        subject=f"a plan action is yours, due {due_on:%-d %B %Y}",
        body=f"{_name(by)} added an action to the family plan and made you its owner.",
        link=_family_link(case.family_public_id, "casework:plan"),
        not_to=by,
    )


def lead_given(*, by: Any, case: FamilyCase, new_lead: Any, taking_over_from: Any) -> None:
    tell(
        [new_lead],
        kind="casework_handover",
        family_public_id=case.family_public_id,
        subject="you are now the lead practitioner",
        body=f"You take over from {_name(taking_over_from)}; {_name(by)} made the change.",
        not_to=by,
    )


def caseload_handed_over(*, by: Any, leaving: Any, to: Any, families: list[str]) -> None:
    """One notification to the colleague taking over, listing the families by id."""
    if not families:
        return
    count = len(families)
    notify(
        recipients=[to],
        kind="casework_handover",
        subject=f"{count} famil{'y' if count == 1 else 'ies'} handed over to you",
        body=(
            f"{_name(by)} handed over {_name(leaving)}'s families to you: "
            + ", ".join(families)
            + ". You are now their lead practitioner."
        ),
        link=reverse("casework:my-families"),
    )


def transfer_awaiting(*, by: Any, transfer: CaseTransfer) -> None:
    family = transfer.case.family_public_id
    purpose = (
        "safeguarding" if transfer.to_agency.kind == "social_care" else "early_help_coordination"
    )
    tell(
        managers_of(transfer.to_agency_id),
        kind="casework_transfer_awaiting",
        family_public_id=family,
        subject=f"{transfer.get_direction_display().lower()} waiting for your team to accept",
        body=(
            f"{transfer.case.lead_agency.name} asks your team to take the family on. The current "
            "lead stays responsible until a team manager accepts and names the new lead."
        ),
        link=_family_link(family, "casework:transfer-respond", transfer_id=transfer.pk)
        + f"?purpose={purpose}",
        not_to=by,
    )


def transfer_withdrawn(*, by: Any, transfer: CaseTransfer) -> None:
    tell(
        managers_of(transfer.to_agency_id),
        kind="casework_transfer_withdrawn",
        family_public_id=transfer.case.family_public_id,
        subject=f"{transfer.get_direction_display().lower()} withdrawn",
        body="Nothing is waiting for your team any more; your access through the request has ended.",
        link=reverse("casework:my-tasks"),
        not_to=by,
    )
    transfer_answered(by=by, transfer=transfer)


def transfer_answered(*, by: Any, transfer: CaseTransfer) -> None:
    family = transfer.case.family_public_id
    tell(
        [transfer.from_lead, transfer.requested_by],
        kind=f"casework_transfer_{transfer.status}",
        family_public_id=family,
        subject=f"{transfer.get_direction_display().lower()} {transfer.get_status_display().lower()}"
        f" by {transfer.to_agency.name if transfer.status != 'withdrawn' else _name(by)}",
        body="You carry on as lead."
        if transfer.status != "accepted"
        else f"{_name(transfer.to_lead)} now leads the work with this family.",
        not_to=by,
    )
    if transfer.status == "accepted" and transfer.to_lead is not None:
        lead_given(
            by=by,
            case=transfer.case,
            new_lead=transfer.to_lead,
            taking_over_from=transfer.from_lead,
        )
