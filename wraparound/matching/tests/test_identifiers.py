"""NHS numbers and UPNs: only identifiers with a correct check character are evidence."""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wraparound.core.identifiers import nhs_check_digit
from wraparound.matching.pipeline.identifiers import (
    is_valid_nhs_number,
    is_valid_upn,
    nhs_number_expr,
    upn_check_letter,
    upn_expr,
)
from wraparound.matching.tests.fake_people import nhs_number, upn
from wraparound.synth.identifiers import nhs_check_digit as county_check_digit

pytestmark = pytest.mark.pipeline


def test_published_example_nhs_number_is_valid_and_a_one_digit_typo_is_not() -> None:
    assert is_valid_nhs_number("9434765919")
    assert is_valid_nhs_number("943 476 5919")
    assert not is_valid_nhs_number("9434765918")
    assert not is_valid_nhs_number("943476591")
    assert not is_valid_nhs_number(None)


def test_nhs_number_whose_check_digit_would_be_ten_is_never_valid() -> None:
    # 000000002: weighted sum 2 * 2 = 4, 11 - 4 = 7; 000000005: 10 % 11 -> 11 - 10 = 1;
    # 000000006 at weight 2 gives 12 % 11 = 1 -> check 10, which no digit can hold.
    assert all(not is_valid_nhs_number(f"000000006{d}") for d in range(10))
    assert is_valid_nhs_number("0000000027")


def test_upn_check_letter_follows_dfe_weights_and_alphabet() -> None:
    body = "801200001001"
    letter = upn_check_letter(body)
    assert letter not in "IOS"
    assert is_valid_upn(letter + body)
    wrong = "A" if letter != "A" else "B"
    assert not is_valid_upn(wrong + body)
    assert not is_valid_upn("I801200001001")


@given(st.integers(min_value=0, max_value=10_000))
def test_generated_identifiers_validate_in_scalar_and_vector_forms_alike(seed: int) -> None:
    rng = random.Random(seed)
    numbers = [nhs_number(rng), nhs_number(rng)[:9] + "x", str(rng.randint(0, 10**10))]
    pupils = [upn(rng), "Z" + upn(rng)[1:], upn(rng).lower()]
    frame = pl.DataFrame({"nhs": numbers, "upn": pupils})
    out = frame.select(nhs_number_expr("nhs"), upn_expr("upn").alias("upn_std"))
    assert [v is not None for v in out["nhs"]] == [is_valid_nhs_number(n) for n in numbers]
    assert [v is not None for v in out["upn_std"]] == [is_valid_upn(u) for u in pupils]


@given(st.lists(st.integers(min_value=0, max_value=999_999_999), min_size=1, max_size=20))
def test_the_county_generates_nhs_check_digits_by_the_one_rule(first_nines: list[int]) -> None:
    """The synthetic county's vectorised check digits are core's, for any nine digits."""
    generated = county_check_digit(np.array(first_nines, dtype=np.int64)).tolist()
    assert generated == [nhs_check_digit(f"{n:09d}") for n in first_nines]
