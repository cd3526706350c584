"""The targeting report as managers and commissioners receive it: tables, trend, CSV and JSON.

Built only from stored profiles, suppressed before it is returned, and released only through
the sharing gate's aggregate check (``release_targeting_report``), which audits every view and
export, permitted or refused.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, replace
from typing import Any

import polars as pl
from django.conf import settings
from django.db.models import Count, Sum

from wraparound.needs import targeting
from wraparound.needs.audience import Audience, audience_for
from wraparound.needs.indicators import load_catalogue
from wraparound.needs.models import FamilyNeedsProfile, NeedsRun, RunStatus
from wraparound.needs.suppression import DEFAULT_THRESHOLD, Cell, suppress
from wraparound.needs.targeting import MEASURES, RATES, Matrix

PURPOSE = "service_planning_aggregate"
TREND_QUARTERS = 8
DATA_CATEGORIES = (
    "social_care", "education", "health", "police", "housing", "youth_justice", "voluntary",
)  # fmt: skip


class ReportRefusedError(Exception):
    """The sharing gate refused the aggregate use; the message is the gate's reason."""


class NoNeedsRunError(Exception):
    """There is no completed needs run to report on yet."""


def suppression_threshold() -> int:
    """Cells below this count are suppressed (settings.SUPPRESSION_THRESHOLD, checked there)."""
    return int(getattr(settings, "SUPPRESSION_THRESHOLD", DEFAULT_THRESHOLD))


@dataclass(frozen=True)
class ChildrenShares:
    """The county's children by their family's targeting cell: the planted-gap question
    ("~20% of children at risk, ~8% supported, most supported not at risk") asked of the data.
    """

    total: Cell
    at_risk: Cell
    supported: Cell
    at_risk_not_supported: Cell
    supported_not_at_risk: Cell

    def rate(self, cell: Cell) -> str:
        if not cell.shown or not self.total.shown or self.total.value == 0:
            return "suppressed"
        return f"{100 * cell.value / self.total.value:.1f}%"

    @property
    def rows(self) -> list[tuple[str, Cell, str]]:
        named = [
            ("Children in families at risk", self.at_risk),
            ("Children in families receiving support", self.supported),
            ("Children in families at risk, not supported", self.at_risk_not_supported),
            ("Children in families supported, not at risk", self.supported_not_at_risk),
        ]
        return [(label, cell, self.rate(cell)) for label, cell in named]


def children_shares(run: NeedsRun, *, threshold: int) -> ChildrenShares:
    """Children counted by their family's cell, suppressed like every other figure."""
    totals = {
        (at_risk, supported): children or 0
        for at_risk, supported, children in FamilyNeedsProfile.objects.filter(run=run)
        .values("at_risk", "supported")
        .annotate(children=Sum("children"))
        .order_by()
        .values_list("at_risk", "supported", "children")
    }
    values = {
        "at_risk_supported": totals.get((True, True), 0),
        "at_risk_not_supported": totals.get((True, False), 0),
        "supported_not_at_risk": totals.get((False, True), 0),
        "neither": totals.get((False, False), 0),
    }
    values["at_risk"] = values["at_risk_supported"] + values["at_risk_not_supported"]
    values["supported"] = values["at_risk_supported"] + values["supported_not_at_risk"]
    values["total"] = values["at_risk"] + values["supported_not_at_risk"] + values["neither"]
    cells = suppress(
        values,
        [
            [
                "at_risk_supported",
                "at_risk_not_supported",
                "supported_not_at_risk",
                "neither",
                "total",
            ],
            ["at_risk_supported", "at_risk_not_supported", "at_risk"],
            ["at_risk_supported", "supported_not_at_risk", "supported"],
        ],
        threshold=threshold,
    )
    return ChildrenShares(
        total=cells["total"],
        at_risk=cells["at_risk"],
        supported=cells["supported"],
        at_risk_not_supported=cells["at_risk_not_supported"],
        supported_not_at_risk=cells["supported_not_at_risk"],
    )


@dataclass(frozen=True)
class TargetingReport:
    run: NeedsRun
    threshold: int
    by_locality: Matrix
    by_agency: Matrix
    trend: Matrix
    at_risk_rule: str
    support_rule: str
    children: ChildrenShares | None = None
    audience: Audience | None = None  # who the suppression was chosen for, and why

    @property
    def tables(self) -> dict[str, Matrix]:
        return {"locality": self.by_locality, "agency": self.by_agency, "quarter": self.trend}


def latest_run() -> NeedsRun | None:
    return (
        NeedsRun.objects.filter(status=RunStatus.COMPLETE)
        .order_by("-reference_date", "-pk")
        .first()
    )


def profiles_frame(
    run: NeedsRun, *, by: tuple[str, ...] = ("locality", "agencies")
) -> pl.DataFrame:
    """The run's families grouped by ``by``, at_risk and supported, with a count ``n``.

    Grouped in the database, so the report reads a few hundred rows, not every family.
    """
    schema: dict[str, Any] = {"locality": pl.String, "agencies": pl.List(pl.String)}
    fields = (*by, "at_risk", "supported")
    rows = (
        FamilyNeedsProfile.objects.filter(run=run)
        .values(*fields)
        .annotate(n=Count("pk"))
        .order_by()
        .values_list(*fields, "n")
    )
    return pl.DataFrame(
        list(rows),
        schema={
            **{f: schema[f] for f in by},
            "at_risk": pl.Boolean,
            "supported": pl.Boolean,
            "n": pl.Int64,
        },
        orient="row",
    )


def trend_points(latest: NeedsRun) -> list[targeting.TrendPoint]:
    """The latest complete run in each quarter up to ``latest``'s, most recent quarters."""
    by_quarter: dict[str, NeedsRun] = {}
    runs = NeedsRun.objects.filter(
        status=RunStatus.COMPLETE, reference_date__lte=latest.reference_date
    ).order_by("reference_date", "pk")
    for run in runs:
        by_quarter[targeting.quarter_of(run.reference_date)] = run
    chosen = sorted(by_quarter.items())[-TREND_QUARTERS:]
    return [
        targeting.TrendPoint(quarter, run.reference_date, profiles_frame(run, by=()))
        for quarter, run in chosen
    ]


def build_targeting_report(
    *, run: NeedsRun | None = None, threshold: int | None = None
) -> TargetingReport:
    """Suppressed tables for ``run`` (default: the latest); not yet released to anyone."""
    run = run or latest_run()
    if run is None:
        raise NoNeedsRunError(
            "No needs run yet: run `wraparound needs` after importing and linking."
        )
    threshold = threshold or suppression_threshold()
    profiles = profiles_frame(run)
    catalogue = load_catalogue()
    return TargetingReport(
        run=run,
        threshold=threshold,
        by_locality=targeting.by_locality(profiles, threshold=threshold),
        by_agency=targeting.by_agency(profiles, threshold=threshold),
        trend=targeting.trend(trend_points(run), threshold=threshold),
        at_risk_rule=catalogue.at_risk.explanation,
        support_rule=catalogue.support.explanation,
        children=children_shares(run, threshold=threshold),
    )


def release_targeting_report(
    *,
    user: Any,
    action: str,
    run: NeedsRun | None = None,
    threshold: int | None = None,
    request_id: str | None = None,
) -> TargetingReport:
    """The report for ``user`` if the sharing gate permits aggregate use; audited either way."""
    from wraparound.sharing.gate import read_aggregate

    report_run = run or latest_run()
    as_of = report_run.reference_date.isoformat() if report_run else "no run"
    decision = read_aggregate(
        user=user,
        purpose=PURPOSE,
        description=f"Targeting report ({action}) as of {as_of}",
        categories=DATA_CATEGORIES,
        request_id=request_id,
        action=action,
    )
    if not decision.permitted:
        raise ReportRefusedError(decision.reason)
    audience = audience_for(user=user, action=action, agreement_id=decision.agreement_id)
    report = build_targeting_report(run=report_run, threshold=threshold or audience.threshold)
    return replace(report, audience=audience)


# --- exports ----------------------------------------------------------------------------------

EXPORT_COLUMNS = ("table", "group", *MEASURES, *RATES)


def export_rows(report: TargetingReport) -> list[dict[str, Any]]:
    """One row per table row: counts as numbers, or "<5"/"suppressed"; rates as fractions."""
    rows = []
    for name, matrix in report.tables.items():
        for row in matrix.rows:
            out: dict[str, Any] = {"table": name, "group": row.group}
            out.update({m: row.cells[m].export() for m in MEASURES})
            out.update({r: _export_rate(v) for r, v in row.rates.items()})
            rows.append(out)
    return rows


def _export_rate(value: float | None) -> float | str | None:
    """A fraction; "suppressed"; or empty (null) when there was nothing to divide by."""
    if value is None:
        return "suppressed"
    return None if math.isnan(value) else round(value, 4)


def as_csv(report: TargetingReport) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(export_rows(report))
    return buffer.getvalue()


def as_json(report: TargetingReport) -> str:
    document = {
        "report": "targeting",
        "reference_date": report.run.reference_date.isoformat(),
        "needs_run": report.run.pk,
        "suppression_threshold": report.threshold,
        "suppression": (
            f"Counts from 1 to {report.threshold - 1} are shown as '<{report.threshold}'; "
            "further cells marked 'suppressed' so hidden counts cannot be worked out."
        ),
        "at_risk_rule": report.at_risk_rule,
        "support_rule": report.support_rule,
        "rows": export_rows(report),
    }
    if report.children is not None:
        document["children"] = {
            "total": report.children.total.export(),
            "rows": [
                {"measure": label, "children": cell.export(), "share_of_all_children": rate}
                for label, cell, rate in report.children.rows
            ],
        }
    return json.dumps(document, indent=2)
