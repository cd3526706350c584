"""Objects the records pages need for the access-by-role test."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from wraparound.core.tests.factories import AgencyFactory
from wraparound.records.models import Extract


def seed(context: dict[str, Any]) -> None:
    agency = AgencyFactory(slug="records-seed-agency", name="Records seed agency")
    context["records_extract"] = Extract.objects.create(
        agency=agency,
        dataset_kind="referrals",
        file_name="referrals.csv",
        sha256="0" * 64,
        file_format="csv",
        received_at=timezone.now(),
    )
