"""A need flag on the family page is shown only when all of its evidence may be seen.

Finding 7 of issue 11: the family page showed a flag at its full level when any of its
evidence was visible, so the level disclosed the withheld part.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from wraparound.casework.family_page import build_family_page
from wraparound.casework.tests.builders import early_help_may_see_police_not_health, known_family
from wraparound.needs.models import NeedFlag, NeedsRun, RunStatus
from wraparound.records.models import SourceEvent
from wraparound.sharing.tests import factories as sharing

pytestmark = pytest.mark.django_db


def _flag(run: NeedsRun, family: str, key: str, events: list[SourceEvent]) -> None:
    today = timezone.localdate()
    NeedFlag.objects.create(
        run=run,
        family_public_id=family,
        outcome="safe_from_domestic_abuse" if "police" in key else "health",
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


def test_a_flag_with_any_withheld_evidence_is_counted_as_withheld_not_shown() -> None:
    family = known_family()
    early_help_may_see_police_not_health(family)
    worker = sharing.worker(family.early_help)
    sharing.relationship(worker, family.family_public_id, purpose="early_help_coordination")
    run = NeedsRun.objects.create(
        reference_date=timezone.localdate(),
        status=RunStatus.COMPLETE,
        finished_at=timezone.now(),
        catalogue_checksum="t",
    )
    police = list(SourceEvent.objects.filter(kind="domestic_abuse_incident"))
    health = list(SourceEvent.objects.filter(kind="missed_health_contact"))
    _flag(run, family.family_public_id, "police_only", police)
    _flag(run, family.family_public_id, "police_and_health", police[:1] + health[:1])
    page = build_family_page(
        user=worker, family_public_id=family.family_public_id, purpose="early_help_coordination"
    )
    shown = [f["indicator_key"] for group in page.needs for f in group["flags"]]
    assert shown == ["police_only"]
    assert page.needs_withheld == 1
