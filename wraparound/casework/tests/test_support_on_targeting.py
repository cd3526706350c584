"""A family with a Wraparound case counts as supported on the targeting picture."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.utils import timezone

from wraparound.casework import services
from wraparound.casework.support import CASEWORK_SUPPORT_KIND, with_casework_support
from wraparound.casework.tests.casework_builders import team_around_family
from wraparound.needs.pipeline import NeedsResult

pytestmark = pytest.mark.django_db


def _result(reference_date: dt.date) -> NeedsResult:
    profiles = pl.DataFrame(
        {
            "family_public_id": ["F-TEST0001", "F-OTHER001"],
            "at_risk": [True, True],
            "supported": [False, False],
            "support_since": [None, None],
            "support_kinds": [[], []],
        },
        schema={
            "family_public_id": pl.String,
            "at_risk": pl.Boolean,
            "supported": pl.Boolean,
            "support_since": pl.Date,
            "support_kinds": pl.List(pl.String),
        },
    )
    return NeedsResult(reference_date, pl.DataFrame(), profiles, {"families_supported": 0})


def test_an_open_case_makes_the_family_supported_and_says_why() -> None:
    team_around_family()
    today = timezone.localdate()

    result = with_casework_support(_result(today), window_days=365)

    rows = {r["family_public_id"]: r for r in result.profiles.iter_rows(named=True)}
    assert rows["F-TEST0001"]["supported"] is True
    assert rows["F-TEST0001"]["support_kinds"] == [CASEWORK_SUPPORT_KIND]
    assert rows["F-TEST0001"]["support_since"] == today
    assert rows["F-OTHER001"]["supported"] is False
    assert result.stats["families_supported"] == 1


def test_a_case_opened_after_the_reference_date_does_not_count() -> None:
    team_around_family()
    result = with_casework_support(_result(timezone.localdate() - dt.timedelta(days=30)), 365)
    assert result.stats["families_supported"] == 0


def test_a_case_closed_before_the_window_no_longer_counts() -> None:
    team = team_around_family()
    services.close_case(
        by=team.lead, case=team.case, reason="needs_met", expected_version=team.case.version
    )
    later = timezone.localdate() + dt.timedelta(days=400)
    assert with_casework_support(_result(later), 365).stats["families_supported"] == 0
    assert with_casework_support(_result(later), 500).stats["families_supported"] == 1
