"""Early help delivered through Wraparound counts as support on the targeting picture.

The needs pipeline finds support in agencies' extracts (statutory plans and, where the
partnership says so, early help events). A family with a Wraparound case (a lead, a team, a
plan) during the support window is receiving coordinated early help whatever the extracts
say, so the needs run marks it supported, naming the kind ``wraparound_casework``.
Only the fact and date of a case leave this module: no casework content reaches needs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

import polars as pl
from django.db.models import Max, Min, Q

from wraparound.casework.models import CaseStatus, FamilyCase

if TYPE_CHECKING:
    from wraparound.needs.pipeline import NeedsResult

CASEWORK_SUPPORT_KIND = "wraparound_casework"


def casework_support(reference_date: dt.date, window_days: int) -> dict[str, dt.date]:
    """Family -> when its casework began, for cases open at some time in the window."""
    start = reference_date - dt.timedelta(days=window_days)
    rows = (
        FamilyCase.objects.filter(opened_at__date__lte=reference_date)
        .annotate(last_closed=Max("closures__closed_at"))
        .filter(Q(status=CaseStatus.OPEN) | Q(last_closed__date__gt=start))
        .values("family_public_id")
        .annotate(since=Min("opened_at"))
    )
    return {r["family_public_id"]: r["since"].date() for r in rows}


def with_casework_support(result: NeedsResult, window_days: int) -> NeedsResult:
    """The needs result with Wraparound casework counted as support."""
    since = casework_support(result.reference_date, window_days)
    if not since or result.profiles.is_empty():
        return result
    cases = pl.DataFrame(
        {"family_public_id": list(since), "casework_since": list(since.values())},
        schema={"family_public_id": pl.String, "casework_since": pl.Date},
    )
    in_casework = pl.col("casework_since").is_not_null()
    profiles = (
        result.profiles.join(cases, on="family_public_id", how="left")
        .with_columns(
            (pl.col("supported") | in_casework).alias("supported"),
            pl.min_horizontal("support_since", "casework_since").alias("support_since"),
            pl.when(in_casework)
            .then(pl.col("support_kinds").list.concat(pl.lit([CASEWORK_SUPPORT_KIND])))
            .otherwise(pl.col("support_kinds"))
            .alias("support_kinds"),
        )
        .drop("casework_since")
    )
    stats = {**result.stats, "families_supported": int(profiles["supported"].sum())}
    return replace(result, profiles=profiles, stats=stats)
