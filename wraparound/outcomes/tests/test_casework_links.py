"""Outcomes link to casework's records when the family is worked through casework."""

from __future__ import annotations

import datetime as dt

import pytest

from wraparound.casework import plan_services
from wraparound.casework import services as casework
from wraparound.outcomes import services
from wraparound.outcomes.services import StatusEntry
from wraparound.outcomes.tests.builders import story_family

pytestmark = pytest.mark.django_db


def test_baseline_review_and_end_of_support_point_at_the_casework_records() -> None:
    story = story_family()
    case = casework.open_case(
        by=story.manager, family_public_id=story.family_public_id, lead=story.practitioner
    )
    assessment = plan_services.start_assessment(
        by=story.practitioner, case=case, started_on=story.engaged_on
    )
    baseline = services.fix_baseline(
        by=story.practitioner, family_public_id=story.family_public_id, engaged_on=story.engaged_on
    )
    assert baseline.assessment == assessment
    held = story.engaged_on + dt.timedelta(days=185)
    meeting = plan_services.record_review(
        by=story.practitioner,
        case=case,
        held_on=held,
        attendees="Kelly Booth (parent)\nLead practitioner",
        decisions="Needs met; close.",
        next_review_on=held + dt.timedelta(days=42),
    )
    statuses = {n.pk: StatusEntry("met", "TAF review") for n in baseline.baseline_needs.all()}
    review = services.record_review(
        by=story.practitioner, baseline=baseline, reviewed_on=held, statuses=statuses
    )
    assert review.review_meeting == meeting
    case.refresh_from_db()
    closure = casework.close_case(
        by=story.practitioner, case=case, reason="needs_met", expected_version=case.version
    )
    services.end_support(by=story.practitioner, baseline=baseline, ended_on=held)
    baseline.refresh_from_db()
    assert baseline.case_closure == closure
