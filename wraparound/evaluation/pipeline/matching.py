"""Propensity scores, nearest-neighbour matching with a caliper, and balance diagnostics.

Propensity: scikit-learn's logistic regression on standardised covariates. Matching: 1:k
greedy nearest neighbour on the logit of the propensity score, without replacement, within
a caliper of ``caliper_sd`` standard deviations of that logit, and within strata of the
plan's exact-matching fields; scikit-learn's NearestNeighbors finds the candidates. Common
support: families outside the overlap of the two groups' propensity ranges are trimmed.
Balance: standardised mean differences (pooled pre-matching SD) and variance ratios.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

FloatArray = npt.NDArray[np.float64]
SMD_LIMIT = 0.1


@dataclass
class Matched:
    """Matched sets: treated[i] with its controls (control_set == i), each weighted 1/k_i.

    ``treated`` lists each matched treated row once; ``control``, ``control_set`` and
    ``control_weight`` list every matched control with the index of its set and its weight
    (so each treated family's comparison counts as much as the family itself: the ATT).
    """

    treated: npt.NDArray[np.int64]
    control: npt.NDArray[np.int64]
    control_set: npt.NDArray[np.int64]
    control_weight: FloatArray
    propensity: FloatArray
    on_support: npt.NDArray[np.bool_]
    unmatched_treated: int


def propensity_scores(x: FloatArray, t: FloatArray) -> FloatArray:
    """P(treated | covariates) from a lightly regularised logistic regression."""
    scaled = StandardScaler().fit_transform(x) if x.shape[1] else x
    model = LogisticRegression(C=1e4, max_iter=2000)
    model.fit(scaled, t.astype(int))
    return np.asarray(model.predict_proba(scaled)[:, 1], dtype=np.float64)


def common_support(ps: FloatArray, t: FloatArray) -> npt.NDArray[np.bool_]:
    """Families whose score lies where both groups have families (min-max overlap)."""
    treated, control = ps[t == 1], ps[t == 0]
    if len(treated) == 0 or len(control) == 0:
        return np.zeros(len(ps), dtype=bool)
    low = max(treated.min(), control.min())
    high = min(treated.max(), control.max())
    return np.asarray((ps >= low) & (ps <= high))


def _logit(ps: FloatArray) -> FloatArray:
    clipped = np.clip(ps, 1e-9, 1 - 1e-9)
    return np.asarray(np.log(clipped / (1 - clipped)))


def _nearest_free(
    finder: NearestNeighbors, used: npt.NDArray[np.bool_], score: float, caliper: float, ratio: int
) -> list[int]:
    """Up to ``ratio`` closest controls not yet used, all within the caliper."""
    total = len(used)
    k = min(total, 10 + ratio)
    while True:
        dist, idx = finder.kneighbors([[score]], n_neighbors=k)
        chosen: list[int] = []
        for d, i in zip(dist[0].tolist(), idx[0].tolist(), strict=True):
            if d > caliper or len(chosen) == ratio:
                return chosen
            if not used[i]:
                chosen.append(int(i))
        if k == total:
            return chosen
        k = min(total, k * 4)


def match(
    ps: FloatArray,
    t: FloatArray,
    strata: npt.NDArray[np.object_],
    *,
    caliper_sd: float,
    ratio: int = 1,
) -> Matched:
    """Greedy 1:k matching, hardest-to-match treated first, no control used twice."""
    support = common_support(ps, t)
    score = _logit(ps)
    caliper = caliper_sd * float(np.std(score[support])) if support.any() else 0.0
    pairs_t: list[int] = []
    pairs_c: list[int] = []
    sets: list[int] = []
    weights: list[float] = []
    unmatched = 0
    for stratum in sorted(set(strata.tolist()), key=str):
        in_stratum = (strata == stratum) & support
        treated = np.nonzero(in_stratum & (t == 1))[0]
        controls = np.nonzero(in_stratum & (t == 0))[0]
        if len(treated) == 0:
            continue
        if len(controls) == 0:
            unmatched += len(treated)
            continue
        finder = NearestNeighbors().fit(score[controls].reshape(-1, 1))
        used = np.zeros(len(controls), dtype=bool)
        order = treated[np.argsort(-score[treated], kind="stable")]
        for row in order.tolist():
            chosen = _nearest_free(finder, used, float(score[row]), caliper, ratio)
            if not chosen:
                unmatched += 1
                continue
            used[chosen] = True
            sets.extend([len(pairs_t)] * len(chosen))
            weights.extend([1.0 / len(chosen)] * len(chosen))
            pairs_t.append(row)
            pairs_c.extend(int(c) for c in controls[chosen])
    return Matched(
        treated=np.array(pairs_t, dtype=np.int64),
        control=np.array(pairs_c, dtype=np.int64),
        control_set=np.array(sets, dtype=np.int64),
        control_weight=np.array(weights, dtype=np.float64),
        propensity=ps,
        on_support=support,
        unmatched_treated=unmatched,
    )


def _smd(a: FloatArray, b: FloatArray, sd: float, wb: FloatArray | None = None) -> float:
    if len(a) == 0 or len(b) == 0:
        return float("nan")
    return float((a.mean() - np.average(b, weights=wb)) / sd)


def _ratio(a: FloatArray, b: FloatArray, wb: FloatArray | None = None) -> float:
    if len(a) < 2 or len(b) < 2:
        return float("nan")
    mean_b = np.average(b, weights=wb)
    var_b = float(np.average((b - mean_b) ** 2, weights=wb))
    return float(a.var(ddof=1) / var_b) if var_b > 0 else float("nan")


def balance(
    x: FloatArray, t: FloatArray, matched: Matched, names: list[str]
) -> list[dict[str, float | str | bool]]:
    """Per covariate: means, SMD and variance ratio before and after matching."""
    rows: list[dict[str, float | str | bool]] = []
    before_t, before_c = x[t == 1], x[t == 0]
    after_t, after_c = x[matched.treated], x[matched.control]
    w = matched.control_weight
    for j, name in enumerate(names):
        pooled = np.sqrt((before_t[:, j].var(ddof=1) + before_c[:, j].var(ddof=1)) / 2)
        pooled = pooled if pooled > 0 else 1.0

        after = _smd(after_t[:, j], after_c[:, j], float(pooled), w)
        rows.append(
            {
                "covariate": name,
                "mean_treated": float(before_t[:, j].mean()) if len(before_t) else float("nan"),
                "mean_comparison_before": float(before_c[:, j].mean())
                if len(before_c)
                else float("nan"),
                "mean_comparison_after": float(np.average(after_c[:, j], weights=w))
                if len(after_c)
                else float("nan"),
                "smd_before": _smd(before_t[:, j], before_c[:, j], float(pooled)),
                "smd_after": after,
                "variance_ratio_before": _ratio(before_t[:, j], before_c[:, j]),
                "variance_ratio_after": _ratio(after_t[:, j], after_c[:, j], w),
                "balanced": bool(abs(after) < SMD_LIMIT) if after == after else False,
            }
        )
    return rows
