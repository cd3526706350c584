"""The same model runs on Spark (local mode) and finds the same people as DuckDB."""

from __future__ import annotations

import importlib.util

import pytest

from wraparound.matching.pipeline import LinkageSettings, link_records
from wraparound.matching.pipeline.evaluation import pairwise_scores
from wraparound.matching.tests.fake_people import fake_records

pytestmark = [
    pytest.mark.pipeline,
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("pyspark") is None,
        reason="pyspark is not installed: pip install -e '.[spark]' to run the Spark backend test",
    ),
]


def test_spark_backend_links_people_as_well_as_duckdb() -> None:
    people = fake_records(60, seed=3)
    records = people.drop("person_id", "family_id")
    truth = people.select("record_key", people["person_id"].alias("entity_id"))
    spark = link_records(records, settings=LinkageSettings(model_dir=None, backend="spark"))
    duckdb = link_records(records, settings=LinkageSettings(model_dir=None, backend="duckdb"))
    spark_scores = pairwise_scores(spark.clusters, truth)
    duckdb_scores = pairwise_scores(duckdb.clusters, truth)
    assert spark.comparison_count == duckdb.comparison_count
    assert spark_scores["f1"] >= 0.95, spark_scores
    assert abs(float(spark_scores["f1"]) - float(duckdb_scores["f1"])) < 0.03
