"""A family on the triage queue (at risk, not supported in a finished needs run) and an
agreement listing triage, for the triage queue and route-in tests."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from wraparound.casework.tests.builders import KnownFamily
from wraparound.needs.models import FamilyNeedsProfile, NeedFlag, NeedsRun, RunStatus
from wraparound.records.models import SourceEvent
from wraparound.sharing.tests import factories as sharing


def _flag(run: NeedsRun, family: str, outcome: str, key: str, kind: str) -> None:
    events = list(SourceEvent.objects.filter(kind=kind, record__record_key__contains=":"))
    today = timezone.localdate()
    NeedFlag.objects.create(
        run=run,
        family_public_id=family,
        outcome=outcome,
        indicator_key=key,
        level=3,
        event_count=len(events),
        first_evidence_date=today,
        last_evidence_date=today,
        evidence=[
            {"event_key": e.event_key, "agency_slug": e.extract.agency.slug, "kind": e.kind}
            for e in events
        ],
    )


def on_triage_queue(family: KnownFamily, *, supported: bool = False) -> NeedsRun:
    """A finished needs run that found the family at risk (and, by default, not supported):
    a police flag (domestic abuse) and a health flag (missed contacts)."""
    run = NeedsRun.objects.create(
        reference_date=timezone.localdate(),
        status=RunStatus.COMPLETE,
        finished_at=timezone.now(),
        catalogue_checksum="t",
    )
    FamilyNeedsProfile.objects.create(
        run=run,
        family_public_id=family.family_public_id,
        locality="Harbridge North",
        children=1,
        outcome_count=2,
        max_level=3,
        outcomes=["safe_from_domestic_abuse", "health"],
        at_risk=True,
        supported=supported,
    )
    fid = family.family_public_id
    _flag(run, fid, "safe_from_domestic_abuse", "police_da", "domestic_abuse_incident")
    _flag(run, fid, "health", "health_missed", "missed_health_contact")
    return run


def triage_agreement(family: KnownFamily, *, purposes: tuple[str, ...] = ("triage",)) -> Any:
    """Police share identity and police data with early help for triage; health shares none."""
    return sharing.agreement(
        parties=[family.police, family.health, family.early_help],
        shares=[(family.police, "identity"), (family.police, "police")],
        purposes=purposes,
    )
