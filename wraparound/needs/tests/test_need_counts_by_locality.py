"""The directory's gap analysis gets need counts by locality from the latest needs run."""

from __future__ import annotations

import pytest
from django.utils import timezone

from wraparound.needs.models import FamilyNeedsProfile, NeedsRun, RunStatus
from wraparound.needs.selectors import need_counts_by_locality

pytestmark = pytest.mark.django_db


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


def test_counts_families_per_locality_and_outcome() -> None:
    _run_with(
        [("Harbridge", ["secure_housing", "health"])] * 6
        + [("Wyke", ["secure_housing"])] * 7
        + [("Wyke", ["health"])] * 2
        + [("", ["health"])] * 9  # no known locality: cannot place a gap
    )
    assert need_counts_by_locality() == [
        ("Harbridge", "health", 6),
        ("Harbridge", "secure_housing", 6),
        ("Wyke", "health", 2),
        ("Wyke", "secure_housing", 7),
    ]


def test_no_needs_run_means_needs_data_is_not_available_rather_than_no_needs() -> None:
    assert need_counts_by_locality() is None


def test_gaps_page_shows_small_counts_as_fewer_than_the_threshold() -> None:
    from django.test import Client
    from django.urls import reverse

    from wraparound.core.models import Role
    from wraparound.core.tests.factories import UserFactory

    _run_with([("Ashvale", ["substance_use"])] * 2)
    client = Client()
    client.force_login(UserFactory(role=Role.TEAM_MANAGER))
    page = client.get(reverse("directory:gaps")).content.decode()
    assert "Ashvale" in page
    assert "fewer than 5" in page
