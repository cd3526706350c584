"""The study design as data: who is treated, who is in the comparison pool, what is measured.

Pure polars, no Django. Inputs are the same tables the needs pipeline reads (events, contract
C2; family membership of linked records, contract C3) plus each family's deprivation decile.
The output is one row per eligible family with its index date, treatment flag, covariates
(from the fixed window before the index date) and outcomes (fixed windows after it).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import polars as pl

EVENT_COLUMNS = ("event_key", "record_key", "agency_slug", "kind", "event_date")
MEMBERSHIP_COLUMNS = ("record_key", "family_public_id", "is_child", "dob", "locality")
STATUTORY_KINDS = ("child_in_need_plan", "child_protection_plan", "looked_after")
# Covariates a plan may choose; each is computed for every family at its index date.
COVARIATES = {
    "prior_events": "All events in the window before the start (log scale)",
    "prior_agency:*": "Events recorded by one agency in the window before the start (log scale)",
    "prior_outcome_areas": "Supporting Families outcome areas with any event before the start",
    "prior_statutory_plan": "A child in need, child protection or looked-after start before",
    "children": "Number of children in the family",
    "youngest_child_age": "Age of the youngest child at the start",
    "oldest_child_age": "Age of the oldest child at the start",
    "deprivation": "Deprivation of the family's area (10 = most deprived decile)",
    "locality:*": "Lives in the locality (one indicator per locality)",
}


# Where the covariate window ends: at the start of the intake period for every family (the
# same baseline for treated and comparison families), or at each family's own index date.
ANCHORS = {
    "intake_start": "the start of the intake period (the same baseline for every family)",
    "index": "each family's start (or, for comparison families, their assigned date)",
}


class DesignError(ValueError):
    """The plan cannot be applied to these data; the message says what is missing."""


@dataclass(frozen=True)
class OutcomeSpec:
    """A yes/no outcome: any event of these kinds within ``window_days`` of the start."""

    key: str
    label: str
    kinds: tuple[str, ...]
    window_days: int = 365
    agencies: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanSpec:
    """What a locked evaluation plan fixes before any result is seen."""

    treatment_agency: str
    treatment_kinds: tuple[str, ...]
    intake_start: date
    intake_end: date
    child_min_age: int
    child_max_age: int
    pre_window_days: int
    outcomes: tuple[OutcomeSpec, ...]
    covariates: tuple[str, ...]
    exact_fields: tuple[str, ...] = ()
    caliper_sd: float = 0.2
    ratio: int = 1
    covariate_anchor: str = "intake_start"
    min_group_size: int = 50
    seed: int = 1
    outcome_areas: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.intake_end < self.intake_start:
            raise DesignError("The intake period ends before it starts.")
        if not self.outcomes:
            raise DesignError("A plan needs at least one outcome.")
        if self.child_min_age > self.child_max_age:
            raise DesignError("The youngest eligible age is above the oldest.")
        if self.covariate_anchor not in ANCHORS:
            raise DesignError(f"Covariate window must end at one of {sorted(ANCHORS)}.")

    @property
    def follow_up_end(self) -> date:
        longest = max(o.window_days for o in self.outcomes)
        return self.intake_end + timedelta(days=longest)


@dataclass
class Cohort:
    """Eligible families at their index dates; ``design`` columns are the covariates."""

    frame: pl.DataFrame
    covariates: list[str]
    excluded: dict[str, int]


def _pseudo_start(families: pl.Series, spec: PlanSpec) -> pl.Series:
    """A comparison family's index date: uniform over the intake period, fixed by the seed.

    Hash-based, so a family's date does not depend on which other families are in the data.
    """
    days = (spec.intake_end - spec.intake_start).days + 1
    offsets = [
        int.from_bytes(hashlib.sha256(f"{spec.seed}:{f}".encode()).digest()[:8], "big") % days
        for f in families.to_list()
    ]
    return pl.Series("index_date", [spec.intake_start + timedelta(days=o) for o in offsets])


def _family_events(events: pl.DataFrame, membership: pl.DataFrame) -> pl.DataFrame:
    missing = [c for c in EVENT_COLUMNS if c not in events.columns]
    if missing:
        raise DesignError(f"events lack columns {missing}")
    return (
        events.select(EVENT_COLUMNS)
        .join(membership.select("record_key", "family_public_id").unique(), on="record_key")
        .unique(["family_public_id", "event_key"])
        .with_columns(pl.col("event_date").cast(pl.Date))
    )


def _index_dates(
    fam_events: pl.DataFrame,
    families: pl.Series,
    spec: PlanSpec,
    given_starts: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Treated: first start in the intake period, none before. Pool: no start through follow-up.

    Starts are the plan's treatment events, or ``given_starts`` (family_public_id,
    start_date), e.g. accepted referrals, when the plan's treatment source provides them.
    """
    if given_starts is not None:
        starts = given_starts.group_by("family_public_id").agg(
            pl.col("start_date").cast(pl.Date).min().alias("first_start")
        )
    else:
        starts = _event_starts(fam_events, spec)
    frame = pl.DataFrame({"family_public_id": families}).join(
        starts, on="family_public_id", how="left"
    )
    return _classified(frame, spec)


def _event_starts(fam_events: pl.DataFrame, spec: PlanSpec) -> pl.DataFrame:
    return (
        fam_events.filter(
            (pl.col("agency_slug") == spec.treatment_agency)
            & pl.col("kind").is_in(list(spec.treatment_kinds))
        )
        .group_by("family_public_id")
        .agg(pl.col("event_date").min().alias("first_start"))
    )


def _classified(frame: pl.DataFrame, spec: PlanSpec) -> pl.DataFrame:
    in_intake = pl.col("first_start").is_between(spec.intake_start, spec.intake_end)
    frame = frame.with_columns(
        pl.when(pl.col("first_start").is_null())
        .then(pl.lit("pool"))
        .when(in_intake)
        .then(pl.lit("treated"))
        .when(pl.col("first_start") < spec.intake_start)
        .then(pl.lit("started before the intake period"))
        .when(pl.col("first_start") <= spec.follow_up_end)
        .then(pl.lit("started during follow-up"))
        .otherwise(pl.lit("pool"))
        .alias("status")
    )
    frame = frame.with_columns(_pseudo_start(frame["family_public_id"], spec).alias("pseudo"))
    return frame.with_columns(
        pl.when(pl.col("status") == "treated")
        .then(pl.col("first_start"))
        .otherwise(pl.col("pseudo"))
        .alias("index_date"),
        (pl.col("status") == "treated").alias("treated"),
    ).drop("pseudo", "first_start")


def _children(membership: pl.DataFrame, index: pl.DataFrame, spec: PlanSpec) -> pl.DataFrame:
    age = (pl.col("index_date") - pl.col("dob")).dt.total_days() / 365.25
    kids = (
        membership.filter(pl.col("is_child") & pl.col("dob").is_not_null())
        .select("family_public_id", "record_key", pl.col("dob").cast(pl.Date))
        .join(index.select("family_public_id", "index_date"), on="family_public_id")
        .with_columns(age.alias("age"))
        .filter(pl.col("age") >= 0)
    )
    return kids.group_by("family_public_id").agg(
        pl.col("dob").n_unique().alias("children"),
        pl.col("age").min().alias("youngest_child_age"),
        pl.col("age").max().alias("oldest_child_age"),
        pl.col("age")
        .is_between(spec.child_min_age, spec.child_max_age + 1, closed="left")
        .any()
        .alias("age_eligible"),
    )


def _window_counts(
    fam_events: pl.DataFrame, index: pl.DataFrame, spec: PlanSpec
) -> tuple[pl.DataFrame, list[str]]:
    anchor = pl.col("index_date") if spec.covariate_anchor == "index" else pl.lit(spec.intake_start)
    pre = fam_events.join(index.select("family_public_id", "index_date"), on="family_public_id")
    pre = pre.filter(
        (pl.col("event_date") < anchor)
        & (pl.col("event_date") >= anchor - pl.duration(days=spec.pre_window_days))
        & ~(
            (pl.col("agency_slug") == spec.treatment_agency)
            & pl.col("kind").is_in(list(spec.treatment_kinds))
        )
    )
    agencies = sorted(pre["agency_slug"].unique().drop_nulls().to_list())
    area_of = [(kind, area) for area, kinds in spec.outcome_areas.items() for kind in kinds]
    areas = pl.DataFrame(area_of, schema={"kind": pl.String, "area": pl.String}, orient="row")
    counts = pre.group_by("family_public_id").agg(
        pl.len().alias("prior_events"),
        pl.col("kind").is_in(list(STATUTORY_KINDS)).any().alias("prior_statutory_plan"),
        *[(pl.col("agency_slug") == a).sum().alias(f"prior_agency:{a}") for a in agencies],
    )
    area_counts = (
        pre.join(areas, on="kind")
        .group_by("family_public_id")
        .agg(pl.col("area").n_unique().alias("prior_outcome_areas"))
    )
    return counts.join(area_counts, on="family_public_id", how="left"), agencies


def _outcomes(fam_events: pl.DataFrame, index: pl.DataFrame, spec: PlanSpec) -> pl.DataFrame:
    joined = fam_events.join(index.select("family_public_id", "index_date"), on="family_public_id")
    out = index.select("family_public_id")
    for outcome in spec.outcomes:
        rule = (
            pl.col("kind").is_in(list(outcome.kinds))
            & (pl.col("event_date") >= pl.col("index_date"))
            & (pl.col("event_date") < pl.col("index_date") + pl.duration(days=outcome.window_days))
        )
        if outcome.agencies:
            rule = rule & pl.col("agency_slug").is_in(list(outcome.agencies))
        hit = joined.filter(rule).select("family_public_id").unique()
        out = out.join(
            hit.with_columns(pl.lit(1.0).alias(f"outcome:{outcome.key}")),
            on="family_public_id",
            how="left",
        )
    return out.fill_null(0.0)


def build_cohort(
    events: pl.DataFrame,
    membership: pl.DataFrame,
    deprivation: pl.DataFrame,
    spec: PlanSpec,
    *,
    last_event_date: date | None = None,
    starts: pl.DataFrame | None = None,
) -> Cohort:
    """Eligible families with index date, treatment, covariates and outcomes."""
    missing = [c for c in MEMBERSHIP_COLUMNS if c not in membership.columns]
    if missing:
        raise DesignError(f"membership lacks columns {missing}")
    if last_event_date is not None and spec.follow_up_end > last_event_date + timedelta(days=1):
        raise DesignError(
            f"The outcome windows run to {spec.follow_up_end}, past the latest event "
            f"({last_event_date}): outcomes would be cut short. Choose an earlier intake period."
        )
    fam_events = _family_events(events, membership)
    families = membership["family_public_id"].unique().sort()
    index = _index_dates(fam_events, families, spec, starts)
    excluded = {
        str(k): int(v)
        for k, v in index.group_by("status").len().iter_rows()
        if k not in {"treated", "pool"}
    }
    index = index.filter(pl.col("status").is_in(["treated", "pool"]))
    children = _children(membership, index, spec)
    counts, agencies = _window_counts(fam_events, index, spec)
    locality = membership.group_by("family_public_id").agg(
        pl.col("locality").drop_nulls().mode().sort().first().alias("locality")
    )
    frame = (
        index.join(children, on="family_public_id", how="left")
        .join(counts, on="family_public_id", how="left")
        .join(locality, on="family_public_id", how="left")
        .join(deprivation, on="family_public_id", how="left")
        .join(_outcomes(fam_events, index, spec), on="family_public_id", how="left")
    )
    not_eligible = frame.filter(~pl.col("age_eligible").fill_null(False))
    excluded["no child in the age range at the start"] = not_eligible.height
    frame = frame.filter(pl.col("age_eligible").fill_null(False))
    frame = frame.with_columns(pl.col("locality").fill_null("unknown"))
    frame, columns = _design_columns(frame, spec, agencies)
    return Cohort(frame=frame, covariates=columns, excluded=excluded)


def _design_columns(
    frame: pl.DataFrame, spec: PlanSpec, agencies: list[str]
) -> tuple[pl.DataFrame, list[str]]:
    columns: list[str] = []
    exprs: list[pl.Expr] = []
    for name in spec.covariates:
        if name == "prior_agency:*":
            for agency in agencies:
                col = f"prior_agency:{agency}"
                exprs.append(pl.col(col).fill_null(0).cast(pl.Float64).log1p().alias(col))
                columns.append(col)
        elif name == "locality:*":
            for place in sorted(frame["locality"].unique().to_list())[1:]:
                exprs.append(
                    (pl.col("locality") == place).cast(pl.Float64).alias(f"locality:{place}")
                )
                columns.append(f"locality:{place}")
        elif name.startswith("prior_agency:"):
            source = pl.col(name) if name in frame.columns else pl.lit(0)
            exprs.append(source.fill_null(0).cast(pl.Float64).log1p().alias(name))
            columns.append(name)
        elif name == "prior_events":
            exprs.append(pl.col(name).fill_null(0).cast(pl.Float64).log1p().alias(name))
            columns.append(name)
        elif name == "deprivation":
            exprs.append(
                (11 - pl.col("deprivation_decile").fill_null(5.5)).cast(pl.Float64).alias(name)
            )
            columns.append(name)
        elif name in COVARIATES:
            exprs.append(pl.col(name).fill_null(0).cast(pl.Float64).alias(name))
            columns.append(name)
        else:
            raise DesignError(f"Unknown covariate {name!r}; choose from {sorted(COVARIATES)}")
    frame = frame.with_columns(exprs)
    constant = [c for c in columns if frame[c].n_unique() <= 1]
    return frame, [c for c in columns if c not in constant]


def as_arrays(cohort: Cohort) -> tuple[np.ndarray, np.ndarray]:
    """(design matrix, treatment vector) for the statistics step."""
    x = cohort.frame.select(cohort.covariates).to_numpy().astype(np.float64)
    t = cohort.frame["treated"].to_numpy().astype(np.float64)
    return x, t
