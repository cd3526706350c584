"""The directory's gap analysis gets need counts by locality from the latest needs run.

They are an aggregate released through the sharing gate (finding 6 of issue 11: directory
gaps showed need counts to practitioners and administrators with no audit, while the same
administrator was refused the targeting page).
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from wraparound.core.models import AgencyKind, Role
from wraparound.needs.models import FamilyNeedsProfile, NeedsRun, RunStatus
from wraparound.needs.selectors import NeedCountsRefusedError, need_counts_by_locality
from wraparound.sharing.models import AuditEntry
from wraparound.sharing.tests.factories import agency, agreement, worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner() -> object:
    council = agency(AgencyKind.EARLY_HELP, "council", "County Council")
    health = agency(AgencyKind.HEALTH, "health", "Health")
    agreement(parties=[council, health], shares=[], purposes=["service_planning_aggregate"])
    return worker(council, Role.TEAM_MANAGER)


def _run_with(profiles: list[tuple[str, list[str]]]) -> None:
    run = NeedsRun.objects.create(
        reference_date=timezone.localdate(),
        status=RunStatus.COMPLETE,
        finished_at=timezone.now(),
        catalogue_checksum="test",
    )
    FamilyNeedsProfile.objects.bulk_create(
        FamilyNeedsProfile(run=run, family_public_id=f"F-{n:05d}", locality=loc, outcomes=outs)
        for n, (loc, outs) in enumerate(profiles)
    )


def test_counts_families_per_locality_and_outcome(planner: object) -> None:
    _run_with(
        [("Harbridge", ["secure_housing", "health"])] * 6
        + [("Wyke", ["secure_housing"])] * 7
        + [("Wyke", ["health"])] * 2
        + [("", ["health"])] * 9  # no known locality: cannot place a gap
    )
    assert need_counts_by_locality(user=planner) == [
        ("Harbridge", "health", 6),
        ("Harbridge", "secure_housing", 6),
        ("Wyke", "health", 2),
        ("Wyke", "secure_housing", 7),
    ]

    assert AuditEntry.objects.get().outcome == "permit"


def test_no_needs_run_means_needs_data_is_not_available_rather_than_no_needs(
    planner: object,
) -> None:
    assert need_counts_by_locality(user=planner) is None


def test_a_reader_without_an_aggregate_agreement_is_refused_and_the_refusal_audited() -> None:
    _run_with([("Harbridge", ["health"])] * 6)
    admin = worker(agency(AgencyKind.HOUSING, "housing", "Housing"), Role.ADMINISTRATOR)
    with pytest.raises(NeedCountsRefusedError, match="No approved agreement"):
        need_counts_by_locality(user=admin)
    refused = AuditEntry.objects.get(actor_id=admin.pk)
    assert refused.outcome == "deny"
    assert refused.purpose == "service_planning_aggregate"


def test_the_gaps_page_says_why_counts_are_refused_and_shows_none() -> None:
    from django.test import Client

    _run_with([("Harbridge", ["health"])] * 6)
    admin = worker(agency(AgencyKind.HOUSING, "housing", "Housing"), Role.ADMINISTRATOR)
    client = Client()
    client.force_login(admin)
    html = client.get("/directory/gaps/").content.decode()
    assert "Need counts are not shared with you" in html
    assert "gaps-table" not in html
    assert AuditEntry.objects.filter(actor_id=admin.pk, outcome="deny").count() == 1


def test_gaps_page_shows_small_counts_as_fewer_than_the_threshold(planner: object) -> None:
    from django.test import Client
    from django.urls import reverse

    _run_with([("Ashvale", ["substance_use"])] * 2)
    client = Client()
    client.force_login(planner)
    page = client.get(reverse("directory:gaps")).content.decode()
    assert "Ashvale" in page
    assert "fewer than 5" in page
