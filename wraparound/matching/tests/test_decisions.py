"""Which probable pairs are held for review, decided by the evidence and saying why."""

from __future__ import annotations

import re

import polars as pl
import pytest

from wraparound.matching.pipeline.decisions import conflicting_evidence, decide

pytestmark = pytest.mark.pipeline

# log2 Bayes factors per comparison level, as a trained model would give them
WEIGHTS = {
    "first_name": {0: -5.6, 1: 3.0, 2: 7.0},
    "dob": {0: -8.4, 1: 3.0, 2: 12.0},
    "surname": {0: -4.0, 2: 8.0},
    "home": {0: -3.0, 2: 8.0},
    "client_id": {0: -4.6, 1: 10.0, 2: 14.0},
}
PRIOR = -16.0


def _pair(**gamma: int) -> pl.DataFrame:
    weight = PRIOR + sum(WEIGHTS[name][value] for name, value in gamma.items())
    return pl.DataFrame(
        {
            "record_key_l": ["a:1"],
            "record_key_r": ["a:2"],
            "match_probability": [1 / (1 + 2**-weight)],
            "match_weight": [weight],
            **{f"gamma_{name}": [value] for name, value in gamma.items()},
        }
    )


def _decided(pair: pl.DataFrame, refused: bool = False) -> dict[str, object]:
    marked = conflicting_evidence(pair, WEIGHTS, 0.95, {"client_id"})
    return decide(marked, match_threshold=0.95, review_threshold=0.5, refused=pl.lit(refused)).row(
        0, named=True
    )


def test_twins_sharing_surname_birthday_and_home_are_held_and_the_reason_names_the_field() -> None:
    twins = _pair(first_name=0, dob=2, surname=2, home=2)
    assert twins["match_probability"][0] >= 0.95
    row = _decided(twins)
    assert (row["decision"], row["reason_code"]) == ("held_for_review", "conflicting_evidence")
    assert "first name disagrees outright" in str(row["reason"])
    assert row["needs_review"] is True


def test_a_held_back_reason_names_the_fields_in_words_not_column_names() -> None:
    """The twins' reason once read "the match rests on dob": a model column, not words."""
    reason = str(_decided(_pair(first_name=0, dob=2, surname=2, home=2))["held_back"])
    assert "the first name disagrees outright" in reason
    assert "rests mostly on the date of birth" in reason
    assert not re.search(r"\bdob\b|_", reason), reason


def test_a_duplicate_with_one_mistyped_name_and_a_shared_identifier_is_joined() -> None:
    row = _decided(_pair(first_name=0, dob=2, surname=2, home=2, client_id=2))
    assert (row["decision"], row["reason_code"], row["needs_review"]) == ("joined", None, False)


def test_a_duplicate_with_a_birthday_one_slip_apart_is_joined() -> None:
    row = _decided(_pair(first_name=2, dob=1, surname=2, home=2))
    assert row["decision"] == "joined"


def test_a_pair_between_the_thresholds_is_held_as_uncertain() -> None:
    pair = _pair(first_name=1, dob=2, surname=2, home=0)
    assert 0.5 <= pair["match_probability"][0] < 0.95
    row = _decided(pair)
    assert (row["decision"], row["reason_code"], row["needs_review"]) == (
        "held_for_review",
        "uncertain",
        False,
    )


def test_a_join_refused_by_the_clustering_is_held_as_a_contradiction() -> None:
    row = _decided(_pair(first_name=2, dob=2, surname=2, home=2), refused=True)
    assert (row["reason_code"], row["needs_review"]) == ("contradiction", True)
    assert str(row["held_back"]).startswith("Not joined automatically")


def test_a_pair_below_the_review_threshold_is_reported_but_not_held() -> None:
    row = _decided(_pair(first_name=0, dob=0, surname=2, home=2))
    assert (row["decision"], row["reason_code"]) == ("below_threshold", None)
