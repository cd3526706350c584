"""Planted services with a known effect, for the evaluation app to recover.

The county's existing draws are not touched: this module has its own random stream
(seed, chunk, ``stream`` from ``planted_services.yaml``) and runs after every other dataset
of a chunk is built. It

1. picks, for each planted service, a start date for every eligible family (a child in the
   service's age range) and refers families by need: the chance of starting rises with the
   family's social-care, police and other events in the year before the intake period
   opens and with deprivation, so a naive treated-versus-untreated comparison is confounded;
2. removes, for treated families, the given fraction of the named outcome events in the
   window after the start (the planted effect; 0 for a service that does nothing), from the
   agency's rows and from the event truth alike;
3. writes the service's own people-as-rows extract (who started, and when);
4. returns the truth: per eligible family, treated or not, the start date, and the outcome
   with and without the service (so the true effect on the treated is known exactly).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
import yaml

from wraparound.synth.catalogues import Catalogues, DatasetShape
from wraparound.synth.events import _Subjects
from wraparound.synth.extracts import DatasetChunk, build_chunk
from wraparound.synth.needs import FamilyTruth
from wraparound.synth.parameters import CountyParameters
from wraparound.synth.population import Population, day_number
from wraparound.synth.records import Counters

CATALOGUE = Path(__file__).parent / "catalogues" / "planted_services.yaml"
PRIOR_DAYS = 365
SELECTION_GROUPS = ("social_care", "police", "other", "deprivation")
GROUP_AGENCIES = {"social_care": "hcc-social-care", "police": "hartshire-police"}
TRUTH_SCHEMA = {
    "service": pl.String,
    "directory_service": pl.String,
    "family_id": pl.String,
    "treated": pl.Boolean,
    "start_date": pl.Date,
    "outcome_events_without": pl.Int32,
    "outcome_events_with": pl.Int32,
    "outcome_without": pl.Boolean,
    "outcome_with": pl.Boolean,
}


@dataclass(frozen=True)
class PlantedService:
    """One planted service: who it takes, when, and what it changes."""

    key: str
    dataset: str
    directory_service: str
    event_kind: str
    child_ages: tuple[int, int]
    intake_days_before_as_of: int
    intake_days: int
    treated_share: float
    selection: dict[str, float]
    effect_source: str
    effect_kinds: tuple[str, ...]
    reduction: float
    window_days: int

    def intake(self, params: CountyParameters) -> tuple[int, int]:
        """First and one-past-last day number of the intake period."""
        first = day_number(params.as_of) - self.intake_days_before_as_of
        return first, first + self.intake_days


@dataclass(frozen=True)
class PlantedCatalogue:
    stream: int
    services: tuple[PlantedService, ...]

    @property
    def sources(self) -> frozenset[str]:
        return frozenset(s.dataset for s in self.services)


@dataclass
class PlantedChunk:
    pieces: list[tuple[DatasetShape, DatasetChunk]]
    truth: pl.DataFrame


def load_planted(path: Path = CATALOGUE) -> PlantedCatalogue:
    """Read and check planted_services.yaml."""
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    services = []
    for entry in raw["services"]:
        effect = entry["effect"]
        selection = {k: float(v) for k, v in entry["selection"].items()}
        unknown = set(selection) - set(SELECTION_GROUPS)
        if unknown:
            raise ValueError(f"planted service {entry['key']}: unknown selection {unknown}")
        reduction = float(effect["reduction"])
        if not 0.0 <= reduction < 1.0 or not 0.0 < float(entry["treated_share"]) < 1.0:
            raise ValueError(f"planted service {entry['key']}: shares must be in [0, 1)")
        services.append(
            PlantedService(
                key=str(entry["key"]),
                dataset=str(entry["dataset"]),
                directory_service=str(entry["directory_service"]),
                event_kind=str(entry["event_kind"]),
                child_ages=(int(entry["child_ages"][0]), int(entry["child_ages"][1])),
                intake_days_before_as_of=int(entry["intake_days_before_as_of"]),
                intake_days=int(entry["intake_days"]),
                treated_share=float(entry["treated_share"]),
                selection=selection,
                effect_source=str(effect["source"]),
                effect_kinds=tuple(effect["kinds"]),
                reduction=reduction,
                window_days=int(effect["window_days"]),
            )
        )
    return PlantedCatalogue(stream=int(raw["stream"]), services=tuple(services))


def is_planted(ds: DatasetShape, planted: PlantedCatalogue) -> bool:
    """True for a dataset this module writes (the main loop must skip it)."""
    return ds.source in planted.sources


def _chunk_events(pieces: list[tuple[DatasetShape, DatasetChunk]]) -> pl.DataFrame:
    frames = [
        piece.truth_events.select(
            pl.lit(i).alias("piece"),
            pl.int_range(pl.len()).alias("row"),
            "source",
            "source_id",
            "family_id",
            "kind",
            pl.col("event_date").cast(pl.Int64).alias("day"),
        )
        for i, (_, piece) in enumerate(pieces)
    ]
    return pl.concat(frames) if frames else pl.DataFrame()


def _prior_counts(
    events: pl.DataFrame, family_ids: pl.Series, start: npt.NDArray[np.int64]
) -> dict[str, npt.NDArray[np.float64]]:
    """Per family, events by agency group in the year before its candidate start."""
    starts = pl.DataFrame({"family_id": family_ids, "start": start})
    agency = pl.col("source").str.split(":").list.first()
    group = (
        pl.when(agency == GROUP_AGENCIES["social_care"])
        .then(pl.lit("social_care"))
        .when(agency == GROUP_AGENCIES["police"])
        .then(pl.lit("police"))
        .otherwise(pl.lit("other"))
    )
    counted = (
        events.join(starts, on="family_id")
        .filter((pl.col("day") < pl.col("start")) & (pl.col("day") >= pl.col("start") - PRIOR_DAYS))
        .group_by("family_id", group.alias("group"))
        .len()
    )
    out = {}
    for name in ("social_care", "police", "other"):
        per = starts.join(
            counted.filter(pl.col("group") == name).select("family_id", "len"),
            on="family_id",
            how="left",
        )
        out[name] = per["len"].fill_null(0).to_numpy().astype(np.float64)
    return out


def _calibrated(score: npt.NDArray[np.float64], share: float) -> npt.NDArray[np.float64]:
    """Probabilities sigmoid(alpha + score) whose mean is ``share`` (alpha by bisection)."""
    if len(score) == 0:
        return score
    lo, hi = -30.0, 30.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if float(np.mean(1 / (1 + np.exp(-(mid + score))))) < share:
            lo = mid
        else:
            hi = mid
    return np.asarray(1 / (1 + np.exp(-((lo + hi) / 2 + score))))


def _eligible(
    pop: Population, service: PlantedService, start: npt.NDArray[np.int64], as_of: int
) -> npt.NDArray[np.bool_]:
    p = pop.persons
    fam = p["family_pos"].to_numpy()
    age_then = p["age"].to_numpy() - (as_of - start[fam]) / 365.25
    lo, hi = service.child_ages
    fits = p["is_child"].to_numpy() & (age_then >= lo) & (age_then < hi + 1)
    return np.bincount(fam[fits], minlength=pop.families.height) > 0


def _drop_rows(piece: DatasetChunk, ds: DatasetShape, removed: pl.DataFrame) -> DatasetChunk:
    """The piece without the removed events (truth rows by index; agency rows by key)."""
    truth_events = (
        piece.truth_events.with_row_index("_row")
        .filter(~pl.col("_row").is_in(removed["row"].implode()))
        .drop("_row")
    )
    labels = {r.label for r in ds.events if r.kind in set(removed["kind"].to_list())}
    if "sc_referral" in set(removed["kind"].to_list()):
        labels.add(ds.support_labels.get("referral", "Referral"))
    per_key = removed.group_by("source_id", "day").len("n_removed")
    rows = piece.rows.with_row_index("_i").with_columns(
        pl.col("event_date").cast(pl.Date).cast(pl.Int64).alias("_day")
    )
    candidates = (
        rows.filter(pl.col("event_label").is_in(sorted(labels)))
        .with_columns(pl.int_range(pl.len()).over("source_id", "_day").alias("_rank"))
        .join(per_key.rename({"day": "_day"}), on=["source_id", "_day"], how="inner")
        .filter(pl.col("_rank") < pl.col("n_removed"))
    )
    kept = rows.filter(~pl.col("_i").is_in(candidates["_i"].implode())).drop("_i", "_day")
    return DatasetChunk(rows=kept, truth_records=piece.truth_records, truth_events=truth_events)


def plant(
    params: CountyParameters,
    cat: Catalogues,
    *,
    chunk: int,
    pop: Population,
    truth: FamilyTruth,
    subjects: _Subjects,
    counters: Counters,
    pieces: list[tuple[DatasetShape, DatasetChunk]],
    planted: PlantedCatalogue | None = None,
) -> PlantedChunk:
    """Refer families to the planted services, apply the effects, add the services' extracts."""
    planted = planted or load_planted()
    rng = np.random.default_rng([params.seed, chunk, planted.stream])
    events = _chunk_events(pieces)
    families = pop.families
    family_ids = families["family_id"]
    deprivation = (10 - families["deprivation_decile"].to_numpy().astype(np.float64)) / 9.0
    as_of = day_number(params.as_of)
    by_source = {ds.source: ds for ds in cat.datasets}
    out = list(pieces)
    truth_frames = []
    removed_all: list[pl.DataFrame] = []
    for service in planted.services:
        first, last = service.intake(params)
        start = rng.integers(first, last, families.height)
        eligible = _eligible(pop, service, start, as_of)
        # referral decisions rest on what was known before the intake period opened
        prior = _prior_counts(events, family_ids, np.full(families.height, first))
        score = service.selection.get("deprivation", 0.0) * deprivation
        for name in ("social_care", "police", "other"):
            score = score + service.selection.get(name, 0.0) * np.log1p(prior[name])
        p = np.zeros(families.height)
        p[eligible] = _calibrated(score[eligible], service.treated_share)
        treated = eligible & (rng.random(families.height) < p)
        starts = pl.DataFrame({"family_id": family_ids, "start": start, "treated": treated})
        outcome = events.join(starts.filter("treated"), on="family_id").filter(
            (pl.col("source") == service.effect_source)
            & pl.col("kind").is_in(list(service.effect_kinds))
            & (pl.col("day") >= pl.col("start"))
            & (pl.col("day") < pl.col("start") + service.window_days)
        )
        draw = rng.random(outcome.height)
        outcome = outcome.with_columns(pl.Series("removed", draw < service.reduction))
        removed_all.append(outcome.filter("removed"))
        per_family = outcome.group_by("family_id").agg(
            pl.len().cast(pl.Int32).alias("outcome_events_without"),
            (~pl.col("removed")).sum().cast(pl.Int32).alias("outcome_events_with"),
        )
        truth_frames.append(
            starts.filter(pl.Series(eligible))
            .join(per_family, on="family_id", how="left")
            .with_columns(
                pl.col("outcome_events_without", "outcome_events_with").fill_null(0),
            )
            .select(
                pl.lit(service.key).alias("service"),
                pl.lit(service.directory_service).alias("directory_service"),
                "family_id",
                "treated",
                pl.when("treated")
                .then(pl.col("start").cast(pl.Int32).cast(pl.Date))
                .alias("start_date"),
                "outcome_events_without",
                "outcome_events_with",
                (pl.col("outcome_events_without") > 0).alias("outcome_without"),
                (pl.col("outcome_events_with") > 0).alias("outcome_with"),
            )
        )
        ds = by_source[service.dataset]
        engaged = replace(truth, engaged=treated, engagement_day=np.where(treated, start, -1))
        out.append((ds, build_chunk(ds, cat, params, pop, engaged, subjects, counters, rng)))
    removed = pl.concat(removed_all).unique(["piece", "row"]) if removed_all else None
    if removed is not None and removed.height:
        for index in removed["piece"].unique().to_list():
            ds, piece = out[index]
            out[index] = (ds, _drop_rows(piece, ds, removed.filter(pl.col("piece") == index)))
    frame = pl.concat(truth_frames) if truth_frames else pl.DataFrame(schema=TRUTH_SCHEMA)
    return PlantedChunk(pieces=out, truth=frame.cast(TRUTH_SCHEMA))  # type: ignore[arg-type]
