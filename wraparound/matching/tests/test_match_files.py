"""`wraparound match-files`: any CSV files in, pairs.csv and clusters.csv out."""

from __future__ import annotations

import json
from importlib.machinery import SourceFileLoader
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
    assert pairs.columns == [
        "source_l",
        "id_l",
        "source_r",
        "id_r",
        "match_probability",
        "decision",
        "same_person",
        "reason_code",
        "reason",
    ]
    assert set(pairs["decision"]) <= {"joined", "held_for_review", "below_threshold"}
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


def _run_json(tmp_path: Path, *args: str) -> dict[str, object]:
    out = StringIO()
    call_command("match-files", *args, "--json", stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


FOREIGN = """\
rec_id, given_name, surname, street_number, address_1, postcode, date_of_birth, client_ref
a-1-org, mitchell, green, 7, wallaby place, 2119, 19560409, 1804974
a-1-dup, mitchel, green, 7, wallaby pl, 2119, 19560409, 1804974
a-2-org, harley, mccarthy, 177, pridham street, 3165, 19290230, 6089216
a-2-dup, harley, mccarthy, 177, pridham st, 3165, 19290230, 6089216
a-3-org, kylie, dixon, 4, sanford place, 5047, 19000404, 7161189
"""

FOREIGN_MAPPING = """\
[[files]]
file = "people.csv"
id = "rec_id"
first_name = "given_name"
surname = "surname"
address = ["street_number", "address_1"]
postcode = "postcode"
dob = "date_of_birth"
dob_format = "%Y%m%d"

[files.identifiers]
client_ref = "client_ref"
"""


def test_a_foreign_file_keeps_its_postcodes_dates_and_identifiers_and_counts_failures(
    tmp_path: Path,
) -> None:
    (tmp_path / "people.csv").write_text(FOREIGN, encoding="utf-8")
    (tmp_path / "map.toml").write_text(FOREIGN_MAPPING, encoding="utf-8")
    summary = _run_json(
        tmp_path,
        "--mapping",
        str(tmp_path / "map.toml"),
        "--out",
        str(tmp_path / "out"),
        str(tmp_path / "people.csv"),
    )
    failures = {(row["field"], row["count"]) for row in summary["parse_failures"]}  # type: ignore[index]
    assert failures == {("postcode", 5), ("dob", 2)}
    clusters = pl.read_csv(tmp_path / "out" / "clusters.csv", infer_schema=False)
    cluster = dict(zip(clusters["id"], clusters["cluster_id"], strict=True))
    assert cluster["a-1-org"] == cluster["a-1-dup"]
    assert cluster["a-2-org"] == cluster["a-2-dup"]  # 30 February kept as evidence
    assert cluster["a-3-org"] not in {cluster["a-1-org"], cluster["a-2-org"]}
    assert (tmp_path / "out" / "summary.json").exists()
    assert summary["blocking"]["rules"]  # type: ignore[index]


def test_link_only_on_the_command_line_never_pairs_records_of_one_file(tmp_path: Path) -> None:
    _write_files(tmp_path)
    _run(tmp_path, "gp.csv", "school.csv")
    both = pl.read_csv(tmp_path / "out" / "pairs.csv", infer_schema=False)
    assert (both["source_l"] == both["source_r"]).any()
    out = StringIO()
    call_command(
        "match-files",
        "--mapping",
        str(tmp_path / "map.toml"),
        "--out",
        str(tmp_path / "linked"),
        "--mode",
        "link_only",
        "--match-threshold",
        "0.99",
        str(tmp_path / "gp.csv"),
        str(tmp_path / "school.csv"),
        stdout=out,
        stderr=StringIO(),
    )
    linked = pl.read_csv(tmp_path / "linked" / "pairs.csv", infer_schema=False)
    assert linked.height > 0
    assert (linked["source_l"] != linked["source_r"]).all()
    joined = linked.filter(pl.col("decision") == "joined")
    assert (joined["match_probability"].cast(pl.Float64) >= 0.99).all()


def test_a_bad_mode_is_refused_with_the_choices(tmp_path: Path) -> None:
    _write_files(tmp_path, households=5)
    text = MAPPING.replace("review_threshold = 0.4", 'review_threshold = 0.4\nmode = "both"')
    (tmp_path / "mode.toml").write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match="link_and_dedupe, link_only, dedupe_only"):
        _run(tmp_path, "gp.csv", mapping="mode.toml")


def test_help_lists_the_mapping_keys() -> None:
    from wraparound.matching.management.commands import __path__ as commands_path

    module = SourceFileLoader(
        "match_files_command", str(Path(commands_path[0]) / "match-files.py")
    ).load_module()
    text = module.mapping_help()
    for key in ("dob_format", "identifiers", "mode", "pairs_floor", "ni_number"):
        assert f"  {key}" in text
