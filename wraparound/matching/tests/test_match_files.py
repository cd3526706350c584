"""`wraparound match-files`: any CSV files in, pairs.csv and clusters.csv out."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import polars as pl
import pytest
from django.core.management import CommandError, call_command

from wraparound.matching.pipeline.evaluation import pairwise_scores
from wraparound.matching.tests.fake_people import fake_records

pytestmark = pytest.mark.pipeline

MAPPING = """
[settings]
match_threshold = 0.9
review_threshold = 0.4

[[files]]
file = "gp.csv"
source = "gp"
id = "patient_id"
first_name = "forename"
surname = "family_name"
dob = "birth_date"
dob_format = "%d/%m/%Y"
sex = "gender"
postcode = "post_code"
address = "address1"
nhs_number = "nhs_no"

[[files]]
file = "school.csv"
id = "pupil_ref"
first_name = "first"
surname = "last"
dob = "dob"
postcode = "postcode"
upn = "upn"
"""


def _write_files(tmp_path: Path, households: int = 60) -> pl.DataFrame:
    people = fake_records(households, seed=5)
    gp = people.filter(pl.col("source") == "health:gp")
    school = people.filter(pl.col("source") == "school:census")
    gp.select(
        pl.col("source_id").alias("patient_id"),
        pl.col("first_name").alias("forename"),
        pl.col("surname").alias("family_name"),
        pl.col("dob").dt.strftime("%d/%m/%Y").alias("birth_date"),
        pl.col("sex").alias("gender"),
        pl.col("postcode").alias("post_code"),
        pl.col("address_line").alias("address1"),
        pl.col("nhs_number").alias("nhs_no"),
    ).write_csv(tmp_path / "gp.csv")
    school.select(
        pl.col("source_id").alias("pupil_ref"),
        pl.col("first_name").alias("first"),
        pl.col("surname").alias("last"),
        pl.col("dob").dt.strftime("%Y-%m-%d").alias("dob"),
        "postcode",
        "upn",
    ).write_csv(tmp_path / "school.csv")
    (tmp_path / "map.toml").write_text(MAPPING, encoding="utf-8")
    return pl.concat(
        [
            gp.select(pl.lit("gp").alias("source"), "source_id", "person_id"),
            school.select(pl.lit("school").alias("source"), "source_id", "person_id"),
        ]
    )


def _run(tmp_path: Path, *files: str, mapping: str = "map.toml") -> str:
    out = StringIO()
    call_command(
        "match-files",
        "--mapping",
        str(tmp_path / mapping),
        "--out",
        str(tmp_path / "out"),
        *[str(tmp_path / name) for name in files],
        stdout=out,
        stderr=StringIO(),
    )
    return out.getvalue()


def test_two_files_are_deduplicated_and_linked_into_clusters(tmp_path: Path) -> None:
    truth = _write_files(tmp_path)
    summary = _run(tmp_path, "gp.csv", "school.csv")
    assert "people" in summary
    pairs = pl.read_csv(tmp_path / "out" / "pairs.csv", infer_schema=False)
    clusters = pl.read_csv(tmp_path / "out" / "clusters.csv", infer_schema=False)
    assert pairs.columns == ["source_l", "id_l", "source_r", "id_r", "match_probability"]
    assert clusters.columns == ["source", "id", "cluster_id"]
    assert clusters.height == truth.height
    assert {"gp", "school"} <= set(pairs["source_l"]) | set(pairs["source_r"])
    keyed = lambda frame: frame.with_columns(  # noqa: E731
        (pl.col("source") + ":" + pl.col(frame.columns[1])).alias("record_key")
    )
    scores = pairwise_scores(
        keyed(clusters),
        keyed(truth.select("source", "source_id", pl.col("person_id").alias("entity_id"))),
    )
    assert scores["f1"] >= 0.95, scores


def test_mapping_naming_a_missing_column_is_a_clear_error(tmp_path: Path) -> None:
    _write_files(tmp_path, households=5)
    text = MAPPING.replace('surname = "family_name"', 'surname = "last_name"')
    (tmp_path / "bad.toml").write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=r"gp.csv.*\['last_name'\].*does not have"):
        _run(tmp_path, "gp.csv", mapping="bad.toml")


def test_an_empty_file_is_a_clear_error(tmp_path: Path) -> None:
    _write_files(tmp_path, households=5)
    (tmp_path / "gp.csv").write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match=r"gp\.csv is empty"):
        _run(tmp_path, "gp.csv", "school.csv")


def test_a_header_only_file_gives_no_people(tmp_path: Path) -> None:
    _write_files(tmp_path, households=5)
    header = (tmp_path / "gp.csv").read_text().splitlines()[0]
    (tmp_path / "gp.csv").write_text(header + "\n", encoding="utf-8")
    _run(tmp_path, "gp.csv")
    assert pl.read_csv(tmp_path / "out" / "clusters.csv").is_empty()
    assert pl.read_csv(tmp_path / "out" / "pairs.csv").is_empty()


def test_a_file_of_one_record_gives_one_person(tmp_path: Path) -> None:
    _write_files(tmp_path, households=5)
    lines = (tmp_path / "gp.csv").read_text().splitlines()
    (tmp_path / "gp.csv").write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    _run(tmp_path, "gp.csv")
    clusters = pl.read_csv(tmp_path / "out" / "clusters.csv", infer_schema=False)
    assert clusters.height == 1
    assert pl.read_csv(tmp_path / "out" / "pairs.csv").is_empty()


def test_a_column_of_nothing_but_blanks_is_ignored_not_fatal(tmp_path: Path) -> None:
    _write_files(tmp_path)
    gp = pl.read_csv(tmp_path / "gp.csv", infer_schema=False)
    gp.with_columns(pl.lit("").alias("nhs_no")).write_csv(tmp_path / "gp.csv")
    _run(tmp_path, "gp.csv", "school.csv")
    assert pl.read_csv(tmp_path / "out" / "clusters.csv").height > 0


def test_a_file_missing_from_the_mapping_is_named(tmp_path: Path) -> None:
    _write_files(tmp_path, households=5)
    (tmp_path / "police.csv").write_text("id\n1\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"police\.csv has no"):
        _run(tmp_path, "police.csv")


def test_an_unknown_mapping_key_is_named(tmp_path: Path) -> None:
    _write_files(tmp_path, households=5)
    (tmp_path / "typo.toml").write_text(
        MAPPING.replace("forename", "x").replace("first_name =", "firstname ="), encoding="utf-8"
    )
    with pytest.raises(CommandError, match="firstname"):
        _run(tmp_path, "gp.csv", mapping="typo.toml")


def test_repeated_ids_in_a_file_are_refused(tmp_path: Path) -> None:
    _write_files(tmp_path, households=5)
    lines = (tmp_path / "gp.csv").read_text().splitlines()
    (tmp_path / "gp.csv").write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="more than once"):
        _run(tmp_path, "gp.csv")
