"""The targeting report counts children by their family's position, as the planted gap is
stated (share of children at risk, supported, and supported but not at risk)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from wraparound.needs.models import FamilyNeedsProfile, NeedsRun, RunStatus
from wraparound.needs.reports import children_shares

pytestmark = pytest.mark.django_db


def _run(families: list[tuple[bool, bool, int]]) -> NeedsRun:
    run = NeedsRun.objects.create(
        reference_date=timezone.localdate(),
        status=RunStatus.COMPLETE,
        finished_at=timezone.now(),
        catalogue_checksum="test",
    )
    FamilyNeedsProfile.objects.bulk_create(
        FamilyNeedsProfile(
            run=run, family_public_id=f"F-{n:05d}", at_risk=r, supported=s, children=c
        )
        for n, (r, s, c) in enumerate(families)
    )
    return run


def test_children_are_counted_by_their_familys_cell_with_rates_of_all_children() -> None:
    run = _run(
        [(True, False, 3)] * 10  # 30 children at risk, not supported
        + [(True, True, 2)] * 5  # 10 at risk and supported
        + [(False, True, 2)] * 10  # 20 supported, not at risk
        + [(False, False, 1)] * 140  # 140 neither
    )
    shares = children_shares(run, threshold=5)
    assert shares.total.value == 200
    assert shares.at_risk.value == 40
    assert shares.rate(shares.at_risk) == "20.0%"
    assert shares.rate(shares.supported) == "15.0%"
    assert shares.supported_not_at_risk.value == 20


def test_small_child_counts_are_suppressed_and_cannot_be_recovered_from_totals() -> None:
    run = _run([(True, True, 2)] + [(True, False, 3)] * 10 + [(False, False, 1)] * 50)
    shares = children_shares(run, threshold=5)
    assert shares.at_risk_not_supported.value == 30
    supported = shares.supported
    assert not supported.shown  # 2 children: primary suppression
    assert shares.rate(supported) == "suppressed"
    # at risk (32) = supported-and-at-risk (2, hidden) + at risk not supported (30): one of the
    # two visible figures must be hidden too, or the 2 could be worked out.
    assert not (shares.at_risk.shown and shares.at_risk_not_supported.shown)


def test_json_export_carries_the_children_shares() -> None:
    import json

    from wraparound.needs.reports import as_json, build_targeting_report

    run = _run([(True, False, 3)] * 10 + [(False, True, 2)] * 10 + [(False, False, 1)] * 150)
    document = json.loads(as_json(build_targeting_report(run=run, threshold=5)))
    assert document["children"]["total"] == 200
    at_risk = document["children"]["rows"][0]
    assert at_risk == {
        "measure": "Children in families at risk",
        "children": 30,
        "share_of_all_children": "15.0%",
    }
