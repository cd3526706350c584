"""A small stored needs run so the needs pages have something to show in the access test."""

from __future__ import annotations

import datetime as dt
from typing import Any

from wraparound.needs.indicators import load_catalogue
from wraparound.needs.pipeline import identify_needs
from wraparound.needs.services import record_needs_run
from wraparound.needs.tests.frames import events, membership

REFERENCE_DATE = dt.date(2026, 3, 31)


def seed(context: dict[str, Any]) -> None:
    catalogue = load_catalogue()
    result = identify_needs(
        events(
            ("F-SEED0001", "P-SEED01", "domestic_abuse_incident", "2026-01-10"),
            ("F-SEED0001", "P-SEED02", "persistent_absence", "2026-02-01"),
            ("F-SEED0001", "P-SEED01", "substance_misuse_treatment", "2025-11-05"),
        ),
        membership(
            ("F-SEED0001", "P-SEED01", False, "Harbridge"),
            ("F-SEED0001", "P-SEED02", True, "Harbridge"),
        ),
        reference_date=REFERENCE_DATE,
        catalogue=catalogue,
    )
    context["needs_run"] = record_needs_run(
        result=result, catalogue=catalogue, membership_source="seed"
    )
