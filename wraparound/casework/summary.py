"""The family summary as plain data, for download: only what the family page already shows."""

from __future__ import annotations

from typing import Any

from wraparound.casework.family_page import FamilyPage
from wraparound.casework.workspace import amendments


def summary_as_data(page: FamilyPage) -> dict[str, Any]:
    """Built from the gate-filtered page, so a download can never hold more than the page."""
    ws = page.workspace
    data: dict[str, Any] = {
        "family": page.family_public_id,
        "purpose": page.purpose,
        "why_you_can_see_it": page.need_to_know_reason,
        "members": [
            {
                "id": m.person_public_id,
                "role": m.role,
                "name": m.name or None,
                "dob": m.dob.isoformat() if m.dob else None,
            }
            for m in page.members
        ],
        "chronology": [
            {"date": ln.date.isoformat(), "what": ln.label, "agency": ln.agency, "who": ln.person}
            for ln in page.chronology
        ],
        "withheld": [
            {"provider": w.provider, "category": w.category, "reason": w.reason}
            for w in page.withheld
        ],
    }
    if ws is not None and ws.case is not None:
        data["case"] = {
            "status": ws.case.status,
            "service_level": ws.case.service_level,
            "lead": str(ws.case.lead) if ws.case.lead else None,
            "team": [
                {"worker": str(m.user), "agency": m.agency.name, "role": m.role}
                for m in ws.current_members
            ],
        }
        if ws.plan is not None:
            data["plan"] = [
                {
                    "need": a.outcome,
                    "action": a.description,
                    "owner": str(a.owner),
                    "due_on": a.due_on.isoformat(),
                    "status": a.status,
                }
                for a in ws.plan.actions
            ]
        data["notes"] = [
            {
                "date": n.occurred_on.isoformat(),
                "category": n.category,
                "text": n.body,
                "amendments": [{"reason": a.reason, "text": a.body} for a in amendments(n)],
            }
            for n in ws.notes
        ]
        data["notes_withheld"] = ws.notes_withheld
    return data
