"""Effect estimates with 95 % intervals, a doubly robust check and an E-value (statsmodels).

- naive: difference in the share with the outcome, treated versus the whole comparison pool
  (no adjustment), with a normal-approximation interval: what a commissioner would compute
  without this page, shown to make the selection visible;
- matched: weighted least squares of the outcome on treatment and the covariates in the
  matched sample (each control weighted 1/k in its matched set), errors clustered on the set (a linear probability model: the coefficient is a
  difference in risk, on the treated);
- doubly robust: statsmodels ``TreatmentEffect.aipw`` (logit treatment model, OLS outcome
  model) on the common-support sample; it estimates the effect over everyone on support,
  not only the treated, so it is a check on direction and size, not the headline;
- E-value (VanderWeele and Ding 2017) for the matched risk ratio and its interval limit
  nearest 1: how strong an unmeasured confounder would have to be to explain the result away.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import numpy.typing as npt
import statsmodels.api as sm
from statsmodels.treatment.treatment_effects import TreatmentEffect

FloatArray = npt.NDArray[np.float64]
Z95 = 1.959963984540054


def interval(estimate: float, se: float) -> dict[str, float]:
    return {
        "estimate": estimate,
        "se": se,
        "ci_low": estimate - Z95 * se,
        "ci_high": estimate + Z95 * se,
    }


def naive_difference(y: FloatArray, t: FloatArray) -> dict[str, float]:
    treated, pool = y[t == 1], y[t == 0]
    p1, p0 = float(treated.mean()), float(pool.mean())
    se = math.sqrt(p1 * (1 - p1) / len(treated) + p0 * (1 - p0) / len(pool))
    return {**interval(p1 - p0, se), "rate_treated": p1, "rate_comparison": p0}


def _add_constant(x: FloatArray) -> FloatArray:
    return np.asarray(sm.add_constant(x, has_constant="add"))


def matched_regression(y: FloatArray, x: FloatArray, matched: Any) -> dict[str, float]:
    """Treatment coefficient (WLS, controls weighted 1/k) with set-clustered errors."""
    treated_rows, control_rows = matched.treated, matched.control
    rows = np.concatenate([treated_rows, control_rows])
    treat = np.concatenate([np.ones(len(treated_rows)), np.zeros(len(control_rows))])
    cluster = np.concatenate([np.arange(len(treated_rows)), matched.control_set])
    weight = np.concatenate([np.ones(len(treated_rows)), matched.control_weight])
    design = _add_constant(np.column_stack([treat, x[rows]]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.WLS(y[rows], design, weights=weight).fit(
            cov_type="cluster", cov_kwds={"groups": cluster}
        )
    p1 = float(y[treated_rows].mean())
    p0 = float(np.average(y[control_rows], weights=matched.control_weight))
    return {
        **interval(float(fit.params[1]), float(fit.bse[1])),
        "rate_treated": p1,
        "rate_comparison": p0,
        "risk_ratio": p1 / p0 if p0 > 0 else float("nan"),
    }


def doubly_robust(y: FloatArray, x: FloatArray, t: FloatArray) -> dict[str, Any]:
    """AIPW point estimate from statsmodels' TreatmentEffect, standard error from its
    influence function.

    statsmodels' own AIPW inference refits a joint GMM with Nelder-Mead over every
    parameter, which took minutes on a county; the influence-function variance uses the same
    fitted treatment and outcome models (``prob_select``, ``results0``, ``results1``) and is
    the usual large-sample standard error for AIPW.
    """
    method = "AIPW (statsmodels TreatmentEffect), influence-function standard error"
    try:
        exog = _add_constant(_full_rank(x, t))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            select = sm.Logit(t, exog).fit(disp=False, maxiter=200)
            effect = TreatmentEffect(sm.OLS(y, exog), t, results_select=select)
            ate, _, _ = effect.aipw(return_results=False)
        e = np.clip(np.asarray(effect.prob_select), 1e-6, 1 - 1e-6)
        mu1 = np.asarray(effect.results1.predict(exog))
        mu0 = np.asarray(effect.results0.predict(exog))
        psi = mu1 - mu0 + t * (y - mu1) / e - (1 - t) * (y - mu0) / (1 - e) - float(ate)
        se = float(np.std(psi, ddof=1) / np.sqrt(len(y)))
        return {**interval(float(ate), se), "method": method}
    except (np.linalg.LinAlgError, ValueError, IndexError) as error:
        return {"estimate": None, "method": method, "error": str(error)}


def _full_rank(x: FloatArray, t: FloatArray) -> FloatArray:
    """Covariates that vary within both groups and are not linear combinations of others.

    A covariate constant among the treated (or the comparison families) makes the
    separate outcome regressions of AIPW singular.
    """
    keep: list[int] = []
    for j in range(x.shape[1]):
        if x[t == 1, j].std() == 0 or x[t == 0, j].std() == 0:
            continue
        trial = _add_constant(x[:, [*keep, j]])
        if np.linalg.matrix_rank(trial) == trial.shape[1]:
            keep.append(j)
    return x[:, keep]


def e_value(risk_ratio: float, ci_low_rr: float, ci_high_rr: float) -> dict[str, float | None]:
    """E-value for the point estimate and for the interval limit nearest the null."""

    def ev(rr: float) -> float:
        rr = 1 / rr if rr < 1 else rr
        return rr + math.sqrt(rr * (rr - 1))

    if not risk_ratio or risk_ratio != risk_ratio or risk_ratio <= 0:
        return {"point": None, "interval": None}
    limit = 1.0 if ci_low_rr <= 1 <= ci_high_rr else ci_high_rr if risk_ratio < 1 else ci_low_rr
    return {"point": ev(risk_ratio), "interval": ev(limit) if limit > 0 else None}


def risk_ratio_interval(matched: dict[str, float]) -> tuple[float, float]:
    """Interval for the risk ratio from the risk-difference interval (delta on the rates)."""
    p0 = matched["rate_comparison"]
    if p0 <= 0:
        return float("nan"), float("nan")
    low = (p0 + matched["ci_low"]) / p0
    high = (p0 + matched["ci_high"]) / p0
    return max(low, 1e-6), high


def verdict(estimate: dict[str, float]) -> str:
    """Plain words for an interval: an effect either way, or no evidence of one."""
    if estimate["ci_high"] < 0:
        return "fewer"
    if estimate["ci_low"] > 0:
        return "more"
    return "no_evidence"
