"""Generate a whole synthetic county into a directory (contract C1), chunk by chunk.

Each chunk of households is generated, turned into every agency's rows, appended to the
extract files and the truth tables, and dropped, so memory stays flat from 1,000 to 500,000
households. A chunk's random stream depends only on (seed, chunk number): the same seed and
chunk size always give the same county.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from wraparound.synth.catalogues import Catalogues, load_catalogues
from wraparound.synth.events import subjects_for
from wraparound.synth.extracts import ExtractWriter, build_chunk, open_writer
from wraparound.synth.needs import FamilyTruth, assign_needs, needs_frame
from wraparound.synth.parameters import CountyParameters
from wraparound.synth.population import (
    AddressBook,
    Population,
    generate_population,
    upn_count,
)
from wraparound.synth.records import Counters
from wraparound.synth.service_effects import is_planted, load_planted, plant
from wraparound.synth.trajectories import plant_trajectories

ProgressCallback = Callable[[int], None]


class _TruthWriter:
    """Appends polars frames to one Parquet file with a fixed schema."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None
        self.rows = 0

    def append(self, frame: pl.DataFrame) -> None:
        table = frame.to_arrow()
        if self._writer is None:
            self._schema = table.schema
            self._writer = pq.ParquetWriter(self.path, self._schema, compression="zstd")
        assert self._schema is not None
        self._writer.write_table(table.cast(self._schema))
        self.rows += frame.height

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


@dataclass
class CountySummary:
    out: Path
    manifest: dict[str, Any]


def _persons_truth(pop: Population) -> pl.DataFrame:
    p = pop.persons
    return p.select(
        "person_id",
        "family_id",
        "first_name",
        "middle_names",
        "surname",
        "previous_surname",
        pl.when(pl.col("surname_changed_day") >= 0)
        .then(pl.from_epoch(pl.col("surname_changed_day"), time_unit="d"))
        .otherwise(None)
        .alias("surname_changed_on"),
        pl.from_epoch(pl.col("dob_day"), time_unit="d").alias("dob"),
        "sex",
        "nhs_number",
        "upn",
        "is_child",
        pl.when(pl.col("is_child"))
        .then(pl.lit("child"))
        .when(pl.col("position") == 0)
        .then(pl.lit("lead_adult"))
        .otherwise(pl.lit("adult"))
        .alias("role"),
    )


def _families_truth(pop: Population, truth: FamilyTruth) -> pl.DataFrame:
    return pop.families.select(
        "family_id",
        "household_id",
        "locality",
        "ward",
        "deprivation_decile",
        "rural",
        "n_adults",
        "n_children",
        "expectant",
        "address_line",
        "postcode",
        "previous_address_line",
        "previous_postcode",
        pl.when(pl.col("moved_on_day") >= 0)
        .then(pl.from_epoch(pl.col("moved_on_day"), time_unit="d"))
        .otherwise(None)
        .alias("moved_on"),
    ).with_columns(
        pl.Series("at_risk", truth.at_risk),
        pl.Series("n_needs", (truth.levels > 0).sum(axis=1).astype(np.int8)),
    )


def _support_truth(pop: Population, truth: FamilyTruth) -> pl.DataFrame:
    kinds = pl.Series("support_kind", truth.support_kind, dtype=pl.String)
    return pl.DataFrame(
        {
            "family_id": pop.families["family_id"],
            "statutory_support": kinds.is_in(["child_in_need", "child_protection", "looked_after"]),
            "support_kind": kinds,
            "start_date": pl.Series(truth.support_day),
        }
    ).with_columns(
        pl.when(pl.col("start_date") >= 0)
        .then(pl.from_epoch(pl.col("start_date"), time_unit="d"))
        .otherwise(None)
        .alias("start_date"),
        pl.col("statutory_support").fill_null(False),
    )


def _engagement_truth(pop: Population, truth: FamilyTruth, service: str) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "family_id": pop.families["family_id"],
            "service": [service] * pop.families.height,
            "engaged": truth.engaged,
            "start_date": truth.engagement_day,
            "eligible": truth.engagement_eligible,
        }
    )
    return (
        frame.filter(pl.col("eligible"))
        .drop("eligible")
        .with_columns(
            pl.when(pl.col("engaged"))
            .then(pl.from_epoch(pl.col("start_date"), time_unit="d"))
            .otherwise(None)
            .alias("start_date")
        )
    )


def generate_county(
    params: CountyParameters,
    out: Path,
    *,
    progress: ProgressCallback | None = None,
    catalogues: Catalogues | None = None,
) -> CountySummary:
    """Write extracts/, truth/ and manifest.json for a county into `out`.

    progress, if given, is called with the number of households finished after each chunk.
    """
    cat = catalogues or load_catalogues()
    if params.effect_service not in {a.slug for a in cat.agencies}:
        raise ValueError(
            f"effect service {params.effect_service!r} is not an agency in agencies.yaml"
        )
    (out / "extracts").mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    writers: dict[str, ExtractWriter] = {
        ds.source: open_writer(out / "extracts" / ds.file_name, ds, params.as_of)
        for ds in cat.datasets
    }
    truth_writers = {
        name: _TruthWriter(out / "truth" / f"{name}.parquet")
        for name in (
            "persons", "families", "records", "needs", "support", "engagement", "events",
            "service_effects",
        )
    }  # fmt: skip
    planted = load_planted()
    counters = Counters()
    addresses = AddressBook(params.seed, len(cat.wards))
    person_offset = 0
    child_offset = 0
    try:
        for chunk, first in enumerate(range(0, params.households, params.chunk_households)):
            n = min(params.chunk_households, params.households - first)
            rng = np.random.default_rng([params.seed, chunk])
            pop = generate_population(
                rng,
                params,
                cat,
                household_offset=first,
                person_offset=person_offset,
                child_offset=child_offset,
                n_households=n,
                addresses=addresses,
            )
            person_offset += pop.persons.height
            child_offset += upn_count(pop.persons)
            truth = assign_needs(rng, params, cat, pop)
            subjects = subjects_for(pop, params)
            pieces = [
                (ds, build_chunk(ds, cat, params, pop, truth, subjects, counters, rng))
                for ds in cat.datasets
                if not is_planted(ds, planted)
            ]
            # planted services: own random stream, after every other draw of the chunk
            services = plant(params, cat, chunk=chunk, pop=pop, truth=truth, subjects=subjects,
                             counters=counters, pieces=pieces, planted=planted)  # fmt: skip
            truth_writers["service_effects"].append(services.truth)
            for ds, piece in services.pieces:
                writers[ds.source].append(piece.rows)
                truth_writers["records"].append(piece.truth_records)
                truth_writers["events"].append(piece.truth_events)
            truth_writers["persons"].append(_persons_truth(pop))
            truth_writers["families"].append(_families_truth(pop, truth))
            truth_writers["needs"].append(needs_frame(pop, truth, cat.outcomes))
            truth_writers["support"].append(_support_truth(pop, truth))
            truth_writers["engagement"].append(_engagement_truth(pop, truth, params.effect_service))
            if progress is not None:
                progress(n)
    finally:
        for writer in writers.values():
            writer.close()
        for truth_writer in truth_writers.values():
            truth_writer.close()

    manifest = _manifest(params, cat, writers, truth_writers)
    manifest["truth"] |= plant_trajectories(out, seed=params.seed, as_of=params.as_of)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return CountySummary(out=out, manifest=manifest)


def _manifest(
    params: CountyParameters,
    cat: Catalogues,
    writers: dict[str, ExtractWriter],
    truth_writers: dict[str, _TruthWriter],
) -> dict[str, Any]:
    extracts = []
    for ds in cat.datasets:
        extracts.append(
            {
                "file": f"extracts/{ds.file_name}",
                "agency_slug": ds.agency,
                "dataset_kind": ds.kind,
                "encoding": ds.encoding,
                "format": ds.format,
                "delimiter": ds.delimiter if ds.format == "csv" else None,
                "row_shape": ds.rows,
                "rows": writers[ds.source].rows_written,
            }
        )
    return {
        "generator": "wraparound.synth",
        "seed": params.seed,
        "households": params.households,
        "parameters": params.as_json(),
        "extracts": extracts,
        "truth": {
            name: {"file": f"truth/{name}.parquet", "rows": w.rows}
            for name, w in truth_writers.items()
        },
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
