"""End to end on a small synthetic county: synth, import, (link), needs, scored against truth."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from wraparound.needs.indicators import load_outcome_labels


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_bench_needs_reports_recall_and_precision_per_outcome_and_decile(tmp_path: Path) -> None:
    out = StringIO()
    call_command(
        "bench-needs", households=1500, seed=3, workdir=tmp_path, stdout=out, stderr=StringIO()
    )
    figures = json.loads(out.getvalue())
    accuracy = figures["accuracy"]
    assert set(accuracy["per_outcome"]) == set(load_outcome_labels())
    assert set(accuracy["by_deprivation_decile"]) <= {str(d) for d in range(1, 11)}
    # A small county and real linkage: loose floors that still catch a broken rule or join.
    assert 0.3 < accuracy["overall"]["recall"] <= 1, accuracy["overall"]
    assert 0.3 < accuracy["overall"]["precision"] <= 1, accuracy["overall"]
    assert accuracy["at_risk"]["precision"] > 0.4, accuracy["at_risk"]
    assert figures["membership"] in {"matching", "truth (benchmark stand-in for linkage)"}
    assert figures["timings"]["needs_s"] > 0
