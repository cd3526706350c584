"""Test helpers: a directory service and a draft evaluation plan (factories, no fixtures)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from wraparound.directory.models import Service
from wraparound.evaluation import services
from wraparound.evaluation.models import EvaluationPlan


def plan_fields(**overrides: Any) -> dict[str, Any]:
    service = overrides.pop("service", None) or Service.objects.create(
        name="Edge of Care and Reunification Team"
    )
    fields: dict[str, Any] = {
        "title": "Does Edge of Care reduce re-referrals?",
        "service": service,
        "treatment_agency": "hcc-social-care",
        "treatment_kinds": ["edge_of_care_support"],
        "intake_start": dt.date(2024, 4, 1),
        "intake_end": dt.date(2024, 6, 29),
        "outcome_window_days": 270,
        "child_min_age": 10,
        "child_max_age": 17,
        "outcomes": ["social_care_referral", "police_callout"],
        "primary_outcome": "social_care_referral",
        "exact_fields": ["locality"],
    }
    fields.update(overrides)
    return fields


def draft_plan(**overrides: Any) -> EvaluationPlan:
    return services.create_plan(user=None, **plan_fields(**overrides))


def access_plan() -> EvaluationPlan:
    """The plan the access table's rows open (made once per test database)."""
    existing = EvaluationPlan.objects.filter(reference="access-table-plan").first()
    return existing or draft_plan(reference="access-table-plan")
