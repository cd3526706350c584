"""Specifications of the synthetic county: deterministic, valid identifiers, calibrated rates,
truth that agrees with the extracts, and agency shapes that make import non-trivial."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from wraparound.synth import CountyParameters, ParameterError, generate_county, load_catalogues
from wraparound.synth.identifiers import nhs_number_is_valid, upn_is_valid

pytestmark = pytest.mark.pipeline


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("county")
    generate_county(CountyParameters(households=3000, seed=7, chunk_households=1000), out)
    return out


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _read_extract(county: Path, entry: dict[str, object]) -> list[dict[str, object]]:
    path = county / str(entry["file"])
    if entry["format"] == "xlsx":
        sheet = openpyxl.load_workbook(path, read_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
        return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    text = path.read_bytes().decode(str(entry["encoding"]))
    return list(csv.DictReader(io.StringIO(text), delimiter=str(entry["delimiter"])))


def test_same_seed_gives_identical_extracts_and_truth(tmp_path: Path) -> None:
    params = CountyParameters(households=400, seed=3, chunk_households=150)
    generate_county(params, tmp_path / "a")
    generate_county(params, tmp_path / "b")
    assert _digest(tmp_path / "a" / "extracts") == _digest(tmp_path / "b" / "extracts")
    for name in ("persons", "records", "needs", "support", "engagement", "events"):
        a = pl.read_parquet(tmp_path / "a" / "truth" / f"{name}.parquet")
        b = pl.read_parquet(tmp_path / "b" / "truth" / f"{name}.parquet")
        assert a.equals(b), name


def test_different_seeds_give_different_counties(tmp_path: Path) -> None:
    generate_county(CountyParameters(households=300, seed=1), tmp_path / "a")
    generate_county(CountyParameters(households=300, seed=2), tmp_path / "b")
    assert _digest(tmp_path / "a" / "extracts") != _digest(tmp_path / "b" / "extracts")


def test_every_person_has_a_unique_valid_nhs_number_and_children_valid_upns(county: Path) -> None:
    persons = pl.read_parquet(county / "truth" / "persons.parquet")
    nhs = persons["nhs_number"].to_list()
    assert all(nhs_number_is_valid(n) for n in nhs)
    assert len(set(nhs)) == len(nhs)
    upns = persons["upn"].drop_nulls().to_list()
    assert len(upns) > 100
    assert all(upn_is_valid(u) for u in upns)
    assert len(set(upns)) == len(upns)


def test_checksum_validators_reject_mistyped_numbers() -> None:
    assert nhs_number_is_valid("9434765919")  # the NHS Digital worked example
    assert not nhs_number_is_valid("9434765918")
    assert not nhs_number_is_valid("943476591")
    assert not upn_is_valid("A99000000000")


def test_rates_are_approximately_as_parameterised(county: Path) -> None:
    persons = pl.read_parquet(county / "truth" / "persons.parquet")
    families = pl.read_parquet(county / "truth" / "families.parquet")
    support = pl.read_parquet(county / "truth" / "support.parquet")
    children = (
        persons.filter(pl.col("is_child"))
        .join(families.select("family_id", "at_risk"), on="family_id")
        .join(support.select("family_id", "statutory_support"), on="family_id")
    )
    at_risk = children["at_risk"].mean()
    supported = children["statutory_support"].mean()
    precision = children.filter(pl.col("statutory_support"))["at_risk"].mean()
    assert at_risk == pytest.approx(0.20, abs=0.03)
    assert supported == pytest.approx(0.08, abs=0.025)
    assert precision == pytest.approx(0.35, abs=0.12)
    assert precision < 0.5  # most of those supported are not among the at-risk


def test_at_risk_families_have_three_or_more_needs_and_needs_rise_with_deprivation(
    county: Path,
) -> None:
    families = pl.read_parquet(county / "truth" / "families.parquet")
    assert families.filter(pl.col("at_risk"))["n_needs"].min() >= 3
    by_deprivation = (
        families.filter(pl.col("n_children") > 0)
        .group_by(pl.col("deprivation_decile") <= 3)
        .agg(pl.col("n_needs").mean())
    )
    rates = dict(by_deprivation.iter_rows())
    assert rates[True] > rates[False]
    needs = pl.read_parquet(county / "truth" / "needs.parquet")
    assert needs.height == families.height * 10
    assert set(needs["outcome"].unique()) == set(load_catalogues().outcomes)


def test_truth_records_are_exactly_the_source_ids_in_each_extract(county: Path) -> None:
    manifest = json.loads((county / "manifest.json").read_text())
    records = pl.read_parquet(county / "truth" / "records.parquet")
    cat = load_catalogues()
    for entry in manifest["extracts"]:
        ds = next(d for d in cat.datasets if d.file_name == Path(entry["file"]).name)
        rows = _read_extract(county, entry)
        assert len(rows) == entry["rows"], entry["file"]
        id_header = next(h for h, f in ds.columns if f == "source_id")
        in_file = {str(r[id_header]) for r in rows}
        in_truth = set(records.filter(pl.col("source") == ds.source)["source_id"].to_list())
        assert in_file == in_truth, entry["file"]


def test_pupil_census_holds_each_childs_true_upn(county: Path) -> None:
    records = pl.read_parquet(county / "truth" / "records.parquet")
    persons = pl.read_parquet(county / "truth" / "persons.parquet")
    pupils = records.filter(pl.col("source") == "hcc-education:pupils").join(
        persons, on="person_id"
    )
    assert pupils.height > 100
    assert (pupils["source_id"] == pupils["upn"]).all()


def test_extracts_come_in_each_agencys_own_shape(county: Path) -> None:
    manifest = json.loads((county / "manifest.json").read_text())
    formats = {e["format"] for e in manifest["extracts"]}
    encodings = {e["encoding"] for e in manifest["extracts"]}
    shapes = {e["row_shape"] for e in manifest["extracts"]}
    assert formats == {"csv", "xlsx"}
    assert "cp1252" in encodings
    assert shapes == {"people", "events"}
    pupils = (county / "extracts" / "hcc-education__pupils.csv").read_bytes()
    assert pupils.startswith(b"UPN,Legal Surname")
    with pytest.raises(UnicodeDecodeError):
        pupils.decode("utf-8")  # accented names are Windows-1252 bytes
    police = (county / "extracts" / "hartshire-police__incidents.csv").read_text()
    assert police.splitlines()[0].split("\t")[:2] == ["Incident Ref", "Nominal ID"]


def test_linkage_is_non_trivial_common_surnames_twins_nicknames_and_duplicates(
    county: Path,
) -> None:
    persons = pl.read_parquet(county / "truth" / "persons.parquet")
    assert persons.filter(pl.col("surname") == "Smith").height > 20
    twins = persons.filter(pl.col("is_child")).group_by("family_id", "dob").len()
    assert twins.filter(pl.col("len") >= 2).height > 0
    records = pl.read_parquet(county / "truth" / "records.parquet")
    duplicates = records.group_by("source", "person_id").len().filter(pl.col("len") >= 2)
    assert duplicates.height > 0  # the same person registered twice by one agency
    police = pl.read_csv(
        county / "extracts" / "hartshire-police__incidents.csv", separator="\t", infer_schema=False
    )
    nicknames = {n for names in load_catalogues().nicknames.values() for n in names}
    first_names = {f.split(" ")[0] for f in police["Forenames"].drop_nulls().to_list()}
    assert first_names & nicknames


def test_siblings_share_the_family_surname_unless_double_barrelled(county: Path) -> None:
    """Siblings carry one surname: the family's, or for some families where the mother kept
    her own name, hers and the family's double-barrelled. An earlier version gave the eldest
    child of every two-adult household a random surname."""
    persons = pl.read_parquet(county / "truth" / "persons.parquet")
    children = persons.filter(pl.col("is_child"))
    surnames_per_family = children.group_by("family_id").agg(pl.col("surname").n_unique())
    assert surnames_per_family["surname"].max() == 1
    double = children.filter(pl.col("surname").str.contains("-"))
    assert double.height > 0
    mothers = persons.filter(pl.col("role") == "lead_adult").select("family_id", "surname")
    with_mother = double.join(mothers, on="family_id", suffix="_mother")
    assert (
        with_mother["surname"].str.split("-").list.first() == with_mother["surname_mother"]
    ).all()


def test_planted_effect_lowers_later_events_for_engaged_families(tmp_path: Path) -> None:
    def later_events(effect: float) -> int:
        out = tmp_path / f"e{effect}"
        generate_county(
            CountyParameters(households=1500, seed=11, effect_size=effect, engagement_rate=0.9), out
        )
        events = pl.read_parquet(out / "truth" / "events.parquet")
        engaged = pl.read_parquet(out / "truth" / "engagement.parquet").filter(pl.col("engaged"))
        return (
            events.filter(pl.col("driven_by_outcome").is_not_null())
            .join(engaged, on="family_id")
            .filter(pl.col("event_date") >= pl.col("start_date"))
            .height
        )

    without, with_effect = later_events(0.0), later_events(0.6)
    assert without > 50
    assert with_effect / without == pytest.approx(0.4, abs=0.12)


def test_impossible_parameters_are_refused_with_a_reason() -> None:
    with pytest.raises(ParameterError, match="at_risk_rate"):
        CountyParameters(
            households=10,
            seed=1,
            at_risk_rate=0.05,
            statutory_support_rate=0.2,
            support_precision=0.9,
        )
    with pytest.raises(ParameterError, match="households"):
        CountyParameters(households=0, seed=1)
