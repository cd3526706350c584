"""What lets linkage reach a county of a million records: work that grows with the
county, not with its square, and incremental runs that grow with the new extract."""

from __future__ import annotations

import json
import random
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from splink import Linker

from wraparound.matching.pipeline import LinkageResult, LinkageSettings, link_records
from wraparound.matching.pipeline.backends import as_engine_table, open_engine
from wraparound.matching.pipeline.clusters import DisjointSet, cluster_records
from wraparound.matching.pipeline.identity import best_link_per_record, best_links
from wraparound.matching.pipeline.incremental import (
    NEW_FLAG,
    _narrowed,
    candidates,
    link_new_records,
    load_model,
    term_frequencies,
)
from wraparound.matching.pipeline.linkage import score_pairs
from wraparound.matching.pipeline.model import all_blocking
from wraparound.matching.pipeline.standardise import model_columns, standardise_records
from wraparound.matching.tests.fake_people import fake_records

pytestmark = pytest.mark.pipeline

TRUTH = ("person_id", "family_id")


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[pl.DataFrame, LinkageResult]:
    people = fake_records(60, seed=5)
    settings = LinkageSettings(model_dir=tmp_path_factory.mktemp("models"))
    return people, link_records(people.drop(TRUTH), settings=settings)


def test_no_blocking_rule_pairs_every_record_sharing_a_name() -> None:
    """Same first name and surname alone would pair every "Oliver Smith" in a county
    with every other (50 million pairs at a million records); each rule on names also
    needs a date of birth to agree in part, or one side to have none."""
    for rule in all_blocking():
        sql = str(rule.rule.get_blocking_rule("duckdb").blocking_rule_sql)
        if '"first_name_group"' in sql and '"surname_std"' in sql:
            assert "dob" in sql, rule.name


def test_records_sharing_names_are_compared_when_a_birth_date_slip_could_explain_it() -> None:
    records = pl.DataFrame(
        {
            "record_key": ["a:1", "b:1", "c:1", "d:1"],
            "source": ["a", "b", "c", "d"],
            "first_name": ["Oliver"] * 4,
            "surname": ["Smith"] * 4,
            "dob": ["2015-03-12", None, "2051-03-12", "2016-04-13"],
        }
    )
    frame = standardise_records(records)
    connection = duckdb.connect()
    connection.register("t", frame.to_arrow())
    pairs = set()
    for rule in all_blocking():
        if rule.name.startswith("names"):
            sql = str(rule.rule.get_blocking_rule("duckdb").blocking_rule_sql)
            pairs |= set(
                connection.execute(
                    f"select l.record_key, r.record_key from t l join t r on {sql} "  # noqa: S608
                    "where l.record_key < r.record_key"
                ).fetchall()
            )
    # a:1 and c:1 differ by a slipped year; b:1 has no date of birth; d:1's date differs
    # from a:1's and c:1's in both year and day, which no one slip explains
    assert pairs == {("a:1", "b:1"), ("a:1", "c:1"), ("b:1", "c:1"), ("b:1", "d:1")}


@settings(max_examples=40, deadline=None)
@given(
    st.integers(min_value=1, max_value=60),
    st.lists(st.tuples(st.integers(0, 59), st.integers(0, 59)), max_size=80),
)
def test_components_are_those_of_a_union_find(size: int, edges: list[tuple[int, int]]) -> None:
    keys = [f"r{n:02d}" for n in range(size)]
    pairs = [(keys[a], keys[b]) for a, b in edges if a < size and b < size]
    found = cluster_records(
        pl.Series(keys),
        pl.DataFrame(pairs, schema=["record_key_l", "record_key_r"], orient="row"),
    )
    expected = DisjointSet(keys)
    for left, right in pairs:
        expected.union(left, right)
    assert found["record_key"].to_list() == keys
    assert dict(found.iter_rows()) == {key: expected.find(key) for key in keys}


def test_why_is_written_column_wise_as_the_result_would_write_it(
    county: tuple[pl.DataFrame, LinkageResult],
) -> None:
    _, result = county
    best = best_link_per_record(result.pairs, result.clusters)
    expected = {
        row["record_key"]: json.dumps(result.why(row)) for row in best.iter_rows(named=True)
    }
    texts = best_links(result.pairs, result.clusters, result.why_labels)
    assert dict(texts.select("record_key", "why").iter_rows()) == expected
    jsonb = best_links(result.pairs, result.clusters, result.why_labels, jsonb_order=True)
    for key, text in jsonb.select("record_key", "why").iter_rows():
        keys = list(json.loads(text))
        assert keys == sorted(keys, key=lambda k: (len(k.encode()), k.encode()))
        assert json.loads(text) == json.loads(expected[key])


def _held_out(people: pl.DataFrame, result: LinkageResult) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every record standardised, and the clusters of all but the police records."""
    standardised = standardise_records(people.drop(TRUTH))
    existing = result.clusters.filter(~pl.col("record_key").str.starts_with("police:"))
    return standardised, existing.select("record_key", "cluster_id")


def test_new_records_are_scored_against_candidates_exactly_as_against_the_whole_index(
    county: tuple[pl.DataFrame, LinkageResult],
) -> None:
    people, result = county
    assert result.model_path is not None
    standardised, existing = _held_out(people, result)
    everyone = standardised.select(model_columns(standardised))
    is_new = ~pl.col("record_key").is_in(existing["record_key"].implode())
    model = load_model(result.model_path)

    def scored(frame: pl.DataFrame, *, frequencies: bool) -> dict[tuple[str, str], float]:
        engine = open_engine("duckdb")
        linker = Linker(
            as_engine_table(engine, frame),
            _narrowed(model),
            db_api=engine,
            set_up_basic_logging=False,
        )
        if frequencies:
            for column, table in term_frequencies(everyone, model).items():
                linker.table_management.register_term_frequency_lookup(
                    as_engine_table(engine, table), column
                )
        pairs = score_pairs(linker, frame, LinkageSettings())
        return {
            tuple(sorted((left, right))): probability  # type: ignore[misc]
            for left, right, probability in pairs.select(
                "record_key_l", "record_key_r", "match_probability"
            ).iter_rows()
        }

    whole = scored(everyone.with_columns(is_new.alias(NEW_FLAG)), frequencies=False)
    new = everyone.filter(is_new)
    near = candidates(everyone.filter(~is_new), new, model)
    assert near.height < everyone.height - new.height, "only records sharing a key"
    paired = {key for pair in whole for key in pair} - set(new["record_key"].to_list())
    assert paired <= set(near["record_key"].to_list())
    subset = pl.concat(
        [
            new.with_columns(pl.lit(True).alias(NEW_FLAG)),
            near.with_columns(pl.lit(False).alias(NEW_FLAG)),
        ]
    )
    narrowed = scored(subset, frequencies=True)
    assert narrowed.keys() == whole.keys()
    assert all(abs(narrowed[key] - whole[key]) < 1e-12 for key in whole)


def test_a_candidate_is_a_record_some_rule_pairs_with_a_new_record_not_one_sharing_a_name(
    county: tuple[pl.DataFrame, LinkageResult],
) -> None:
    """A rule on first name and surname with a null date of birth on one side takes in
    the like-named records only where one of the two has no date of birth."""
    people, result = county
    assert result.model_path is not None
    standardised, existing = _held_out(people, result)
    everyone = standardised.select(model_columns(standardised))
    is_new = ~pl.col("record_key").is_in(existing["record_key"].implode())
    new, indexed = everyone.filter(is_new), everyone.filter(~is_new)
    rule = (
        '(l."first_name_group" = r."first_name_group") AND (l."surname_std" = r."surname_std") '
        "AND (l.dob_text IS NULL)"
    )
    model = {
        "blocking_rules_to_generate_predictions": [{"blocking_rule": rule, "sql_dialect": "duckdb"}]
    }
    like_named = indexed.join(
        new.select("first_name_group", "surname_std").drop_nulls().unique(),
        on=["first_name_group", "surname_std"],
        how="semi",
    )
    without_dob_new = new.filter(pl.col("dob_text").is_null())
    expected = like_named.filter(
        pl.col("dob_text").is_null()
        | pl.struct("first_name_group", "surname_std").is_in(
            without_dob_new.select(pl.struct("first_name_group", "surname_std"))
            .to_series()
            .implode()
        )
    )

    found = candidates(indexed, new, model)

    assert like_named.height > expected.height, "the county has like-named records with dates"
    assert sorted(found["record_key"].to_list()) == sorted(expected["record_key"].to_list())


def test_an_incremental_link_reclusters_only_the_people_its_pairs_touch(
    county: tuple[pl.DataFrame, LinkageResult],
) -> None:
    people, result = county
    assert result.model_path is not None
    standardised, existing = _held_out(people, result)
    linked = link_new_records(
        standardised, existing, model_path=result.model_path, settings=LinkageSettings()
    )
    covered = set(linked.clusters["record_key"])
    assert {k for k in standardised["record_key"] if k.startswith("police:")} <= covered
    assert len(covered) < standardised.height
    # every person it covers, it covers whole
    people_covered = existing.filter(pl.col("record_key").is_in(list(covered)))["cluster_id"]
    whole = existing.filter(pl.col("cluster_id").is_in(people_covered.implode()))
    assert set(whole["record_key"]) <= covered


def test_an_incremental_link_with_nothing_new_covers_no_one(
    county: tuple[pl.DataFrame, LinkageResult], tmp_path: Path
) -> None:
    people, result = county
    assert result.model_path is not None
    standardised = standardise_records(people.drop(TRUTH))
    linked = link_new_records(
        standardised,
        result.clusters.select("record_key", "cluster_id"),
        model_path=result.model_path,
        settings=LinkageSettings(),
    )
    assert linked.clusters.is_empty()
    assert linked.pairs.is_empty()


def test_standardising_once_per_distinct_value_gives_each_record_its_own_values() -> None:
    people = fake_records(30, seed=3).drop(TRUTH)
    shuffled = people.sample(fraction=1.0, shuffle=True, seed=random.Random(4).randint(0, 99))
    one_by_one = pl.concat([standardise_records(shuffled.slice(i, 1)) for i in range(40)])
    together = standardise_records(shuffled).head(40)
    assert together.equals(one_by_one.select(together.columns))
