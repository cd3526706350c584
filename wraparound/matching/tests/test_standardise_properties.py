"""Properties of the standardisers: junk never raises, and cleaning is a round trip."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wraparound.core.identifiers import is_valid_nhs_number, is_valid_ni_number
from wraparound.matching.pipeline.identifiers import (
    identifier_expr,
    nhs_number_expr,
    ni_number_is_valid_expr,
)
from wraparound.matching.pipeline.standardise import (
    parse_dates,
    parse_failures,
    standardise_records,
)

pytestmark = pytest.mark.pipeline

# The machine running the suite may be loaded: judge the properties, not the timing.
relaxed = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
junk = st.one_of(st.none(), st.text(max_size=25))
FIELDS = (
    "first_name",
    "surname",
    "dob",
    "sex",
    "postcode",
    "address_line",
    "nhs_number",
    "upn",
    "ni_number",
    "ident_other",
)


@relaxed
@given(st.lists(st.tuples(*[junk for _ in FIELDS]), min_size=1, max_size=8))
def test_standardising_junk_never_raises_and_every_record_survives(rows: list[tuple]) -> None:
    frame = pl.DataFrame(
        [dict(zip(FIELDS, row, strict=True)) for row in rows],
        schema=dict.fromkeys(FIELDS, pl.Utf8),
    ).with_columns(
        pl.format("s:{}", pl.int_range(pl.len())).alias("record_key"), pl.lit("s").alias("source")
    )
    standardised = standardise_records(frame)
    assert standardised.height == frame.height
    for failure in parse_failures(standardised):
        assert 0 < int(failure["count"]) <= frame.height


@relaxed
@given(st.text(max_size=20))
def test_a_standardised_postcode_standardises_to_itself(raw: str) -> None:
    first = standardise_records(
        pl.DataFrame({"record_key": ["a:1"], "source": ["a"], "postcode": [raw]})
    )["postcode_std"][0]
    if first is None:
        return
    again = standardise_records(
        pl.DataFrame({"record_key": ["a:1"], "source": ["a"], "postcode": [first]})
    )["postcode_std"][0]
    assert again == first


@relaxed
@given(st.text(max_size=20))
def test_a_cleaned_identifier_cleans_to_itself(raw: str) -> None:
    once = pl.DataFrame({"x": [raw]}).select(identifier_expr("x"))["x"][0]
    if once is not None:
        assert pl.DataFrame({"x": [once]}).select(identifier_expr("x"))["x"][0] == once


@relaxed
@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)),
    st.sampled_from(["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%Y%m%d", "%d.%m.%Y"]),
)
def test_a_date_written_in_its_format_parses_back_to_itself(day: date, fmt: str) -> None:
    parsed = pl.DataFrame({"dob": [day.strftime(fmt)]}).select(*parse_dates("dob", (fmt,)))
    assert parsed["dob"][0] == day
    assert parsed["dob_unparsed"][0] is None


@relaxed
@given(junk, st.sampled_from(["%Y-%m-%d", "%d/%m/%Y", "%Y%m%d"]))
def test_a_date_that_does_not_parse_is_kept_never_lost(raw: str | None, fmt: str) -> None:
    parsed = pl.DataFrame({"dob": [raw]}, schema={"dob": pl.Utf8}).select(
        *parse_dates("dob", (fmt,))
    )
    has_text = raw is not None and raw.strip() != ""
    assert (parsed["dob"][0] is not None or parsed["dob_unparsed"][0] is not None) == has_text


@relaxed
@given(st.text(alphabet="0123456789 -", max_size=14))
def test_the_vectorised_nhs_check_agrees_with_the_scalar_one(raw: str) -> None:
    kept = pl.DataFrame({"n": [raw]}).select(nhs_number_expr("n"))["n"][0]
    digits = raw.replace(" ", "").replace("-", "")
    assert (kept is not None) == is_valid_nhs_number(digits)


@relaxed
@given(st.from_regex(r"[A-Z]{2}[0-9]{6}[A-F]?", fullmatch=True))
def test_the_vectorised_ni_check_agrees_with_the_scalar_one(raw: str) -> None:
    valid = pl.DataFrame({"n": [raw]}).select(ni_number_is_valid_expr("n"))["n"][0]
    assert bool(valid) == is_valid_ni_number(raw)


def test_ni_numbers_follow_hmrc_rules() -> None:
    assert is_valid_ni_number("JG 10 37 59 A")
    assert not is_valid_ni_number("QQ 12 34 56 C")  # the usual example, never issued
    assert is_valid_ni_number("AB123456")  # suffix often dropped
    assert not is_valid_ni_number("BG123456A")  # never issued
    assert not is_valid_ni_number("DA123456A")  # D is not a first letter
    assert not is_valid_ni_number("AB123456E")
