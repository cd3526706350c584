"""What the model learns from the data at hand, and what it holds fixed.

How often one person's first name or date of birth is recorded as something else
altogether differs between data sets (FEBRL's duplicates replace whole names; a county's
agencies rarely do). Pairs that share an identifier show it without relatives mixed in,
so the model learns it there; without an identifier it keeps its cautious prior, since
EM on birthday blocks would learn it from twins and relatives sharing a birthday.
"""

from __future__ import annotations

import random
from datetime import date

import polars as pl
import pytest

from wraparound.matching.pipeline import LinkageResult, LinkageSettings, link_records
from wraparound.matching.tests.fake_people import fake_records

pytestmark = pytest.mark.pipeline

TRUTH_COLUMNS = ("person_id", "family_id")
PRIOR_FIRST_NAME_DIFFERS = 0.02


def _renamed(records: pl.DataFrame, *, share: float, seed: int) -> pl.DataFrame:
    """``records`` with the first name of ``share`` of each person's later records
    replaced by another person's name (a keying or registration change)."""
    rng = random.Random(seed)
    names = records["first_name"].drop_nulls().unique().sort().to_list()
    seen: set[str] = set()
    first_names = []
    for person, name in records.select("person_id", "first_name").iter_rows():
        if person in seen and rng.random() < share:
            name = rng.choice([n for n in names if n.lower() != str(name).lower()])
        seen.add(person)
        first_names.append(name)
    return records.with_columns(pl.Series("first_name", first_names))


def _with_a_date_no_slip_explains(records: pl.DataFrame) -> tuple[pl.DataFrame, tuple[str, str]]:
    """One person's two records with one NHS number, one of them given a date of birth in
    the same year but another day and month; returns the records and that pair's keys."""
    shared = (
        records.filter(pl.col("nhs_number").is_not_null() & pl.col("dob").is_not_null())
        .group_by("person_id", "nhs_number")
        .agg(pl.col("record_key").sort())
        .filter(pl.col("record_key").list.len() >= 2)
        .sort("person_id")
    )
    left, right = shared["record_key"][0][:2]
    born = records.filter(pl.col("record_key") == left)["dob"][0]
    moved = date(born.year, 12 if born.month < 6 else 1, 3 if born.day > 20 else 27)
    changed = records.with_columns(
        pl.when(pl.col("record_key") == right).then(pl.lit(moved)).otherwise("dob").alias("dob")
    )
    return changed, (left, right)


def _else_m(result: LinkageResult, comparison: str) -> float:
    assert result.model is not None
    for item in result.model["comparisons"]:
        if item["output_column_name"] == comparison:
            levels = [
                level for level in item["comparison_levels"] if not level.get("is_null_level")
            ]
            return float(levels[-1]["m_probability"])
    raise AssertionError(f"no comparison {comparison}")


@pytest.fixture(scope="module")
def records() -> tuple[pl.DataFrame, tuple[str, str]]:
    renamed = _renamed(fake_records(120, seed=5), share=0.3, seed=5)
    return _with_a_date_no_slip_explains(renamed)


@pytest.fixture(scope="module")
def with_identifiers(records: tuple[pl.DataFrame, tuple[str, str]]) -> LinkageResult:
    return link_records(records[0].drop(TRUTH_COLUMNS), settings=LinkageSettings())


def test_pairs_sharing_an_identifier_teach_how_often_first_names_differ(
    with_identifiers: LinkageResult,
) -> None:
    assert _else_m(with_identifiers, "first_name") > 3 * PRIOR_FIRST_NAME_DIFFERS


def test_without_an_identifier_first_names_differing_keeps_its_prior(
    records: tuple[pl.DataFrame, tuple[str, str]],
) -> None:
    anonymous = records[0].drop(*TRUTH_COLUMNS, "nhs_number", "upn")
    result = link_records(anonymous, settings=LinkageSettings())
    assert _else_m(result, "first_name") == pytest.approx(PRIOR_FIRST_NAME_DIFFERS)
    assert _else_m(result, "sex") == pytest.approx(0.02)


def test_a_shared_nhs_number_outweighs_a_date_of_birth_no_slip_explains(
    records: tuple[pl.DataFrame, tuple[str, str]], with_identifiers: LinkageResult
) -> None:
    left, right = records[1]
    cluster = dict(
        zip(
            with_identifiers.clusters["record_key"],
            with_identifiers.clusters["cluster_id"],
            strict=True,
        )
    )
    assert cluster[left] == cluster[right]


def _u(result: LinkageResult, comparison: str, label_starts: str) -> float:
    assert result.model is not None
    for item in result.model["comparisons"]:
        if item["output_column_name"] == comparison:
            for level in item["comparison_levels"]:
                if str(level.get("label_for_charts", "")).startswith(label_starts):
                    return float(level["u_probability"])
    raise AssertionError(f"no level {label_starts!r} in {comparison}")


def test_how_often_random_records_agree_does_not_depend_on_the_training_sample() -> None:
    """u is the county's own rate of chance agreement. Taken from the block sample (whole
    birthday and surname blocks) it grows as the sample becomes a smaller share of the
    county, so a bigger county would count an agreeing birthday for less."""
    county = fake_records(300, seed=11).drop(TRUTH_COLUMNS)
    whole = link_records(county, settings=LinkageSettings(training_sample_records=10**6))
    sampled = link_records(
        county, settings=LinkageSettings(training_sample_records=county.height // 10)
    )
    for comparison, level in (("dob", "Exact match"), ("surname", "Jaro-Winkler")):
        ratio = _u(sampled, comparison, level) / _u(whole, comparison, level)
        assert 0.8 < ratio < 1.25, (comparison, ratio)
