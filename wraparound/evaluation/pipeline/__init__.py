"""The evaluation pipeline: design, match, check balance, estimate. No Django inside.

``evaluate`` takes the tables and a locked plan's specification and returns a plain,
JSON-ready result. Results are *withheld* (with the reasons) unless every covariate is
balanced after matching (|SMD| < 0.1) and both matched groups reach the plan's minimum
size; the balance table is always returned, so the reason can be seen and acted on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from wraparound.evaluation.pipeline import estimation
from wraparound.evaluation.pipeline.design import (
    COVARIATES,
    Cohort,
    DesignError,
    OutcomeSpec,
    PlanSpec,
    as_arrays,
    build_cohort,
)
from wraparound.evaluation.pipeline.matching import SMD_LIMIT, balance, match, propensity_scores

__all__ = ["COVARIATES", "DesignError", "OutcomeSpec", "PlanSpec", "evaluate"]

Progress = Callable[[str], None]
STEPS = ("design", "propensity", "matching", "balance", "estimates")


def _strata(cohort: Cohort, fields: tuple[str, ...]) -> np.ndarray:
    if not fields:
        return np.array(["all"] * cohort.frame.height, dtype=object)
    for name in fields:
        if name not in cohort.frame.columns:
            raise DesignError(f"Cannot match exactly on {name!r}: no such field.")
    keys = cohort.frame.select(
        pl.concat_str([pl.col(f).cast(pl.String).fill_null("?") for f in fields], separator="|")
    ).to_series()
    return np.array(keys.to_list(), dtype=object)


def _withheld_reasons(
    spec: PlanSpec, treated: int, matched_pairs: int, rows: list[dict[str, Any]]
) -> list[str]:
    reasons = []
    if treated < spec.min_group_size:
        reasons.append(
            f"Only {treated} families started in the intake period; the plan needs at least "
            f"{spec.min_group_size} in each group."
        )
    elif matched_pairs < spec.min_group_size:
        reasons.append(
            f"Only {matched_pairs} treated families found a comparison family within the "
            f"caliper; the plan needs at least {spec.min_group_size} in each group."
        )
    off = [r["covariate"] for r in rows if not r["balanced"]]
    if off:
        reasons.append(
            f"Balance not met after matching (|SMD| must be under {SMD_LIMIT} on every "
            f"covariate): {', '.join(map(str, off))}."
        )
    return reasons


def _outcome_result(
    outcome: OutcomeSpec, y: np.ndarray, x: np.ndarray, t: np.ndarray, matched: Any
) -> dict[str, Any]:
    naive = estimation.naive_difference(y, t)
    result: dict[str, Any] = {"key": outcome.key, "label": outcome.label, "naive": naive}
    pairs = len(matched.treated)
    result["counts"] = {
        "treated_with": int(y[matched.treated].sum()),
        "treated_without": int(pairs - y[matched.treated].sum()),
        "comparison_with": int(y[matched.control].sum()),
        "comparison_without": int(len(matched.control) - y[matched.control].sum()),
    }
    if pairs < 2:
        return result
    m = estimation.matched_regression(y, x, matched)
    low_rr, high_rr = estimation.risk_ratio_interval(m)
    support = matched.on_support
    result.update(
        matched=m,
        verdict=estimation.verdict(m),
        risk_ratio_interval=[low_rr, high_rr],
        e_value=estimation.e_value(m["risk_ratio"], low_rr, high_rr),
        doubly_robust=estimation.doubly_robust(y[support], x[support], t[support]),
    )
    return result


def evaluate(
    events: pl.DataFrame,
    membership: pl.DataFrame,
    deprivation: pl.DataFrame,
    spec: PlanSpec,
    *,
    progress: Progress | None = None,
    last_event_date: Any = None,
    starts: pl.DataFrame | None = None,
) -> dict[str, Any]:
    """Run the locked plan over the data; JSON-ready, withheld unless the gates pass."""
    tick = progress or (lambda step: None)
    cohort = build_cohort(
        events, membership, deprivation, spec, last_event_date=last_event_date, starts=starts
    )
    tick("design")
    x, t = as_arrays(cohort)
    n_treated, n_pool = int(t.sum()), int((1 - t).sum())
    result: dict[str, Any] = {
        "families": {"treated": n_treated, "pool": n_pool, "excluded": cohort.excluded},
        "covariates": cohort.covariates,
        "withheld": False,
        "reasons": [],
    }
    if n_treated < 2 or n_pool < 2:
        result.update(withheld=True, reasons=_withheld_reasons(spec, n_treated, 0, []))
        result["reasons"] = result["reasons"] or ["No comparison families in the pool."]
        result["balance"], result["outcomes"] = [], []
        for step in STEPS[1:]:
            tick(step)
        return json_safe(result)
    ps = propensity_scores(x, t)
    tick("propensity")
    matched = match(
        ps, t, _strata(cohort, spec.exact_fields), caliper_sd=spec.caliper_sd, ratio=spec.ratio
    )
    tick("matching")
    rows = balance(x, t, matched, cohort.covariates)
    tick("balance")
    pairs = len(matched.treated)
    result["families"].update(
        matched_treated=pairs,
        matched_comparison=len(matched.control),
        trimmed_off_support=int((~matched.on_support).sum()),
        unmatched_treated=matched.unmatched_treated,
    )
    result["balance"] = rows
    reasons = _withheld_reasons(spec, n_treated, pairs, rows)
    result["withheld"], result["reasons"] = bool(reasons), reasons
    result["outcomes"] = [
        _outcome_result(o, cohort.frame[f"outcome:{o.key}"].to_numpy(), x, t, matched)
        for o in spec.outcomes
    ]
    tick("estimates")
    return json_safe(result)


def json_safe(value: Any) -> Any:
    """Plain Python with NaN and infinities as None, so the result is valid JSON."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
