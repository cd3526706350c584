"""What happens to each scored pair: joined, held for review (and why), or below threshold.

The rules read the evidence, not fixed fields. A pair is held for a person to decide when

- the model is genuinely uncertain: its probability lies between the review and match
  thresholds (``uncertain``);
- joining it would contradict what is known (``contradiction``: two NHS numbers or UPNs,
  or dates of birth no slip explains, in one person; decided during clustering); or
- the evidence conflicts (``conflicting_evidence``): a personal field (one that is not
  shared by a household and is not an identifier: first name, date of birth, sex)
  disagrees outright (its level makes a match at least 16 times less likely), no
  identifier agrees (or nearly
  agrees: a level making a match at least 16 times more likely), and without the fields
  a household shares (surname and home) the match would be less likely than not. Relatives living together look like this (twins, or a birthday
  copied from one member to another: same surname, birthday and home, different first
  names): what they share cannot tell them apart, so the personal evidence must carry
  the match on its own. A duplicate with one mistyped field still passes, because its
  personal fields (or an identifier, which relatives do not share) carry it.

Field weights come from the trained model's own m and u, so the same rule works for a
county with NHS numbers and for a file of another country's records.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl
from splink import Linker

from wraparound.core.plain_words import EVIDENCE_NAMES, evidence_in_a_sentence

# What happened to each scored pair, and why: a machine-readable code (``reason_code``)
# and the words a reviewer reads (``reason``).
DECISIONS = ("joined", "held_for_review", "below_threshold")
REVIEW_REASONS = {
    "uncertain": "The model is unsure: the evidence for and against is close",
    "contradiction": (
        "Not joined automatically: it would put two different NHS numbers, pupil numbers, or "
        "dates of birth that no typing slip explains, into one person"
    ),
    "conflicting_evidence": (
        "Not joined automatically: {against} disagrees outright and, beyond what a household "
        "shares (surname, home), the match rests mostly on {strongest} (relatives living "
        "together look like this)"
    ),
}
# A field "disagrees outright" when its level makes a match at least 16 times less likely.
OUTRIGHT_DISAGREEMENT_WEIGHT = -4.0
# Without the household's fields, the personal evidence must still make a match more
# likely than not (a weight above 0).
PERSONAL_EVIDENCE_WEIGHT = 0.0
# Comparisons whose agreement members of one household share, so it cannot tell them apart.
HOUSEHOLD_FIELDS = ("surname", "home")


def level_weights(linker: Linker) -> dict[str, dict[int, float]]:
    """log2 Bayes factor of every comparison level (no term-frequency adjustment)."""
    weights: dict[str, dict[int, float]] = {}
    for comparison in linker._settings_obj.comparisons:
        levels: dict[int, float] = {}
        for level in comparison.comparison_levels:
            try:
                value = float(level._log2_bayes_factor)
            except (TypeError, ValueError, ZeroDivisionError):
                value = 0.0
            levels[int(level.comparison_vector_value)] = value if math.isfinite(value) else 0.0
        weights[comparison.output_column_name] = levels
    return weights


def _weight_columns(pairs: pl.DataFrame, weights: dict[str, dict[int, float]]) -> list[str]:
    return [name for name in weights if f"gamma_{name}" in pairs.columns]


def conflicting_evidence(
    pairs: pl.DataFrame,
    weights: dict[str, dict[int, float]],
    match_threshold: float,
    identifier_names: set[str],
) -> pl.DataFrame:
    """``pairs`` with ``conflict`` (bool), ``against`` and ``strongest`` (field names)."""
    names = _weight_columns(pairs, weights)
    if not names or pairs.is_empty():
        return pairs.with_columns(
            pl.lit(value=False).alias("conflict"),
            pl.lit(value=False).alias("identified"),
            pl.lit(None, dtype=pl.Utf8).alias("against"),
            pl.lit(None, dtype=pl.Utf8).alias("strongest"),
        )
    contributions = pairs.select(
        [
            pl.col(f"gamma_{name}")
            .replace_strict(weights[name], default=0.0, return_dtype=pl.Float64)
            .alias(name)
            for name in names
        ]
    )
    # Fields on which relatives differ: not what a household shares, not an identifier
    # (an unchecked identifier that differs is a typo as often as another person).
    telling = [n for n in names if n not in HOUSEHOLD_FIELDS and n not in identifier_names]
    if not telling:
        return pairs.with_columns(
            pl.lit(value=False).alias("conflict"),
            pl.lit(value=False).alias("identified"),
            pl.lit(None, dtype=pl.Utf8).alias("against"),
            pl.lit(None, dtype=pl.Utf8).alias("strongest"),
        )
    lowest = contributions.select(pl.min_horizontal(telling)).to_series()
    against = contributions.select(
        pl.concat_list(telling).list.arg_min().replace_strict(dict(enumerate(telling)))
    ).to_series()
    personal = [name for name in names if name not in HOUSEHOLD_FIELDS] or names
    strongest = contributions.select(
        pl.concat_list(personal).list.arg_max().replace_strict(dict(enumerate(personal)))
    ).to_series()
    identified = pl.Series([False] * pairs.height)
    for name in names:
        if name in identifier_names:
            identified = identified | (contributions[name] >= -OUTRIGHT_DISAGREEMENT_WEIGHT)
    shared = contributions.select(
        pl.sum_horizontal(
            [pl.col(name).clip(lower_bound=0) for name in names if name in HOUSEHOLD_FIELDS]
            or [pl.lit(0.0)]
        )
    ).to_series()
    conflict = (
        (lowest <= OUTRIGHT_DISAGREEMENT_WEIGHT)
        & ~identified
        & (pairs["match_weight"] - shared < PERSONAL_EVIDENCE_WEIGHT)
    )
    return pairs.with_columns(
        conflict.alias("conflict"),
        identified.alias("identified"),
        against.cast(pl.Utf8).alias("against"),
        strongest.cast(pl.Utf8).alias("strongest"),
    )


def _label(code: str) -> pl.Expr:
    template = REVIEW_REASONS[code]
    if "{" not in template:
        return pl.lit(template)
    head, rest = template.split("{against}")
    middle, tail = rest.split("{strongest}")
    return pl.concat_str(
        pl.lit(head), _in_words("against"), pl.lit(middle), _in_words("strongest"), pl.lit(tail)
    )


def _in_words(column: str) -> pl.Expr:
    """A field-name column as words mid-sentence (``dob`` -> ``the date of birth``), vectorised:
    a run scores millions of pairs."""
    known = {name: evidence_in_a_sentence(name) for name in EVIDENCE_NAMES}
    known |= {f"{name}_std": words for name, words in known.items()}
    fallback = pl.concat_str(pl.lit("the "), pl.col(column).str.replace_all("_", " "))
    return pl.col(column).replace_strict(known, default=fallback, return_dtype=pl.Utf8)


def decide(
    pairs: pl.DataFrame, *, match_threshold: float, review_threshold: float, refused: pl.Expr
) -> pl.DataFrame:
    """Add ``decision``, ``reason_code``, ``reason``, ``needs_review`` and ``held_back``.

    ``pairs`` carries ``conflict`` (from ``conflicting_evidence``); ``refused`` is true
    for pairs the constrained clustering would not join.
    """
    probability = pl.col("match_probability")
    code = (
        pl.when(probability < review_threshold)
        .then(None)
        .when(refused)
        .then(pl.lit("contradiction"))
        .when((probability >= match_threshold) & pl.col("conflict"))
        .then(pl.lit("conflicting_evidence"))
        .when(probability < match_threshold)
        .then(pl.lit("uncertain"))
        .otherwise(None)
    )
    decided = pairs.with_columns(code.alias("reason_code"))
    reason: pl.Expr = pl.lit(None, dtype=pl.Utf8)
    for name in REVIEW_REASONS:
        reason = pl.when(pl.col("reason_code") == name).then(_label(name)).otherwise(reason)
    held = pl.col("reason_code").is_in(["contradiction", "conflicting_evidence"])
    return decided.with_columns(
        pl.when(probability < review_threshold)
        .then(pl.lit("below_threshold"))
        .when(pl.col("reason_code").is_not_null())
        .then(pl.lit("held_for_review"))
        .otherwise(pl.lit("joined"))
        .alias("decision"),
        reason.alias("reason"),
        held.fill_null(value=False).alias("needs_review"),
        pl.when(held).then(reason).alias("held_back"),
    )


def summary_of(pairs: pl.DataFrame) -> dict[str, Any]:
    """Counts of pairs by decision and reason code, for the run summary."""
    if pairs.is_empty() or "decision" not in pairs.columns:
        return {}
    by_decision = dict(pairs["decision"].value_counts().iter_rows())
    by_reason = dict(pairs.drop_nulls("reason_code")["reason_code"].value_counts().iter_rows())
    return {"decisions": by_decision, "review_reasons": by_reason}
