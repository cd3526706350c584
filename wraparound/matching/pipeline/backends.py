"""Where Splink runs: DuckDB on one machine (default) or Spark for larger partnerships.

Only this module knows the difference: it opens the engine, hands it a table and brings
scored pairs back as a polars frame. The model definition is the same for both.
"""

from __future__ import annotations

import logging
from functools import cache, lru_cache
from typing import Any, Literal

import polars as pl
from splink.internals.database_api import DatabaseAPISubClass
from splink.internals.input_column import SqlglotColumnTreeBuilder
from splink.internals.splink_dataframe import SplinkDataFrame

from wraparound.matching.pipeline.errors import LinkageConfigurationError

Backend = Literal["duckdb", "spark"]
BACKENDS: tuple[Backend, ...] = ("duckdb", "spark")


def quiet_splink() -> None:
    """Splink logs every SQL step at INFO; our commands print their own progress."""
    for name in ("splink", "py4j"):
        logging.getLogger(name).setLevel(logging.ERROR)


@cache
def parse_column_names_once() -> None:
    """Splink parses a column name with sqlglot five times whenever it builds a column
    (about 14,000 parses in one county run, seconds of work); the result is a frozen
    dataclass, so the same name and dialect can share one parse."""
    builder = SqlglotColumnTreeBuilder
    parse = builder.from_raw_column_name_or_column_reference.__func__  # type: ignore[attr-defined]
    parsed = lru_cache(maxsize=8192)(
        lambda input_str, sqlglot_dialect: parse(builder, input_str, sqlglot_dialect)
    )

    def from_raw(cls: type, input_str: str, sqlglot_dialect: str | None) -> Any:
        if cls is not builder:
            return parse(cls, input_str, sqlglot_dialect)
        return parsed(input_str, sqlglot_dialect)

    builder.from_raw_column_name_or_column_reference = classmethod(from_raw)  # type: ignore[method-assign,assignment]


def open_engine(backend: str, *, spark_master: str = "local[2]") -> DatabaseAPISubClass:
    """A Splink database API for ``backend``, with a clear error if it cannot be used."""
    quiet_splink()
    parse_column_names_once()
    if backend == "duckdb":
        import duckdb
        from splink import DuckDBAPI

        connection = duckdb.connect(":memory:")
        connection.execute("SET enable_progress_bar = false")  # our commands show progress
        return DuckDBAPI(connection=connection)
    if backend == "spark":
        try:
            from pyspark.sql import SparkSession
            from splink.backends.spark import SparkAPI, similarity_jar_location
        except ImportError as exc:
            raise LinkageConfigurationError(
                "The Spark backend needs pyspark: pip install 'wraparound[spark]'"
            ) from exc
        session = (
            SparkSession.builder.master(spark_master)
            .appName("wraparound-linkage")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.ui.enabled", "false")
            # Splink's jar supplies jaro_winkler and friends to Spark SQL
            .config("spark.jars", similarity_jar_location())
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        return SparkAPI(spark_session=session, break_lineage_method="persist")
    raise LinkageConfigurationError(
        f"Unknown backend '{backend}'; choose one of: {', '.join(BACKENDS)}"
    )


def as_engine_table(engine: DatabaseAPISubClass, frame: pl.DataFrame) -> Any:
    """``frame`` in the form the engine accepts as Splink input."""
    if engine.sql_dialect.sql_dialect_str == "spark":
        session = engine.spark  # type: ignore[attr-defined]
        return session.createDataFrame(frame.to_pandas())
    return frame.to_arrow()


def fetch_frame(table: SplinkDataFrame) -> pl.DataFrame:
    """Bring a Splink result table back as polars without a row-by-row copy."""
    if (
        hasattr(table, "as_duckdbpyrelation")
        and table.db_api.sql_dialect.sql_dialect_str == "duckdb"
    ):
        return table.as_duckdbpyrelation().pl()
    spark_frame = table.as_spark_dataframe()
    return pl.from_arrow(spark_frame.toArrow())  # type: ignore[return-value]
