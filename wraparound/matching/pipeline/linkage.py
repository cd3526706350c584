"""Link person records into people: standardise, block, train, score, cluster.

``link_records`` is the one entry point used by the master index, the ``match-files``
command and the benchmark. It never imports Django: it takes a polars frame of C2-shaped
records and returns polars frames, so it runs the same on a CSV or on a county.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import splink
from splink import Linker, SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.database_api import DatabaseAPISubClass

from wraparound.matching.pipeline.backends import as_engine_table, fetch_frame, open_engine
from wraparound.matching.pipeline.blocking import count_comparisons, probe_pairs, recall_ceiling
from wraparound.matching.pipeline.clusters import without_pairs
from wraparound.matching.pipeline.conflicts import cluster_without_contradictions, identities
from wraparound.matching.pipeline.decisions import conflicting_evidence, decide, level_weights
from wraparound.matching.pipeline.errors import LinkageInputError, TooManyComparisonsError
from wraparound.matching.pipeline.model import (
    MODEL_NAME,
    MODEL_VERSION,
    Blocking,
    Evidence,
    chosen_blocking,
    chosen_evidence,
    identifier_label,
    in_mode,
    learn_else_levels,
    splink_settings,
)
from wraparound.matching.pipeline.settings import LinkageSettings
from wraparound.matching.pipeline.standardise import (
    identifier_columns,
    model_columns,
    parse_failures,
    standardise_records,
)

PAIR_COLUMNS = ("record_key_l", "record_key_r", "source_l", "source_r", "match_probability")


@dataclass
class LinkageResult:
    """Everything a run produced.

    ``pairs``: scored pairs at or above the review threshold (``PAIR_COLUMNS``,
    ``match_weight`` and one ``gamma_<comparison>`` column per comparison), after
    reviewers' decisions. ``clusters``: ``record_key, source, cluster_id`` for every input
    record. ``review_pairs``: pairs between the thresholds that no decision covers and
    that the clustering did not already join. ``why_labels`` turns a gamma value into the
    words shown to a reviewer.
    """

    pairs: pl.DataFrame
    clusters: pl.DataFrame
    review_pairs: pl.DataFrame
    comparisons: list[dict[str, Any]]
    why_labels: dict[str, dict[int, str]]
    model_path: Path | None
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    standardised: pl.DataFrame | None = None  # the input after standardisation, for families
    parse_failures: list[dict[str, Any]] = field(default_factory=list)
    blocking: dict[str, Any] = field(default_factory=dict)  # recall ceiling, rules added
    model: dict[str, Any] | None = None  # the trained Splink model (m and u per level)

    @property
    def comparison_count(self) -> int:
        return sum(int(row["comparisons"]) for row in self.comparisons)

    def why(self, pair: dict[str, Any]) -> dict[str, str]:
        """Which fields agreed for one row of ``pairs``, in reviewers' words, and why a
        probable pair was held back for review."""
        why = {
            name: labels.get(int(pair[f"gamma_{name}"]), str(pair[f"gamma_{name}"]))
            for name, labels in self.why_labels.items()
            if f"gamma_{name}" in pair
        }
        if pair.get("held_back"):
            why["held back"] = str(pair["held_back"])
            if pair.get("reason_code"):
                why["held back code"] = str(pair["reason_code"])
        return why


def _empty_pairs() -> pl.DataFrame:
    schema: dict[str, Any] = dict.fromkeys(PAIR_COLUMNS, pl.Utf8)
    schema["match_probability"] = pl.Float64
    schema["match_weight"] = pl.Float64
    return pl.DataFrame(schema=schema)


def _trivial_result(standardised: pl.DataFrame, reason: str) -> LinkageResult:
    clusters = standardised.select("record_key", "source", pl.col("record_key").alias("cluster_id"))
    return LinkageResult(
        pairs=_empty_pairs(),
        clusters=clusters,
        review_pairs=_empty_pairs(),
        comparisons=[],
        why_labels={},
        model_path=None,
        warnings=[reason],
        standardised=standardised,
    )


def training_sample(frame: pl.DataFrame, *, max_records: int, seed: int) -> pl.DataFrame:
    """Whole blocks of records (by surname and by birthday), about ``max_records`` of them.

    Sampling whole blocks rather than random rows keeps every true match inside a sampled
    block, so EM still sees matches at the rate the full data has them.
    """
    if frame.height <= max_records:
        return frame
    every = math.ceil(2 * frame.height / max_records)
    surname_hit = pl.col("surname_std").hash(seed) % every == 0
    dob_hit = pl.col("dob_text").hash(seed + 1) % every == 0
    return frame.filter(surname_hit | dob_hit)


def _train(
    engine: DatabaseAPISubClass,
    frame: pl.DataFrame,
    evidence: list[Evidence],
    blocking: list[Blocking],
    settings: LinkageSettings,
    warnings: list[str],
) -> dict[str, Any]:
    """Estimate u by random sampling over every record and m by EM on a block sample;
    return the model.

    u is how often two *random* records agree, so it is sampled from all of ``frame``: the
    block sample holds whole surname and birthday blocks, so within it birthdays agree
    more often than in the county, the more so the smaller a share of the county it is
    (8 times as often at a million records, 1.8 times at 240,000), and u taken there made
    an agreeing birthday count for less the bigger the county.
    """
    sample = training_sample(
        frame, max_records=settings.training_sample_records, seed=settings.seed
    )
    model = splink_settings(evidence, blocking, prior_match_probability=min(0.5, 2 / frame.height))
    trainer = Linker(
        as_engine_table(engine, sample),
        _with_u_from_every_record(model, frame, settings),
        db_api=engine,
        set_up_basic_logging=False,
    )
    present = {column for item in evidence for column in item.needs}
    # A shared NHS number (or another identifier) picks out nearly pure matches, so the
    # m probabilities of every other field are learnt from real matches, not from
    # look-alike relatives.
    sessions = [
        ("nhs_number_std",),
        *[(column,) for column in identifier_columns(frame)],
        ("dob_text", "surname_std"),
        ("first_name_group", "surname_std"),
        ("dob_text",),
        ("postcode_std",),
    ]
    identifier_sessions = {("nhs_number_std",), *[(c,) for c in identifier_columns(frame)]}
    trained = 0
    for columns in sessions:
        if trained >= 2 or not set(columns) <= present:
            continue
        # Pairs sharing an identifier are nearly all true matches, so there (and only
        # there) EM may learn how often a true match's first name or date of birth
        # differs outright; blocks on names and birthdays would learn it from relatives.
        learn_else_levels(trainer, learn=columns in identifier_sessions)
        try:
            trainer.training.estimate_parameters_using_expectation_maximisation(
                in_mode(block_on(*columns), settings.mode),
                estimate_without_term_frequencies=True,
            )
            trained += 1
        except Exception as exc:  # Splink raises plain Exceptions for empty blocks
            warnings.append(f"EM on {'+'.join(columns)} skipped: {exc}")
    learn_else_levels(trainer, learn=False)
    if trained == 0:
        warnings.append("EM could not train; using the model's prior m probabilities")
    return trainer.misc.save_model_to_json()


def _with_u_from_every_record(
    model: SettingsCreator, frame: pl.DataFrame, settings: LinkageSettings
) -> dict[str, Any]:
    """``model`` with u estimated by random sampling over ``frame``, on an engine of its
    own that is released before training goes on (it holds the whole county)."""
    engine = open_engine(settings.backend)
    sampler = Linker(
        as_engine_table(engine, frame), model, db_api=engine, set_up_basic_logging=False
    )
    sampler.training.estimate_u_using_random_sampling(
        max_pairs=settings.u_sample_pairs, seed=settings.seed
    )
    with_u: dict[str, Any] = sampler.misc.save_model_to_json()
    engine.delete_tables_created_by_splink_from_db()
    return with_u


def _estimate_prior(
    linker: Linker, evidence: list[Evidence], mode: str, warnings: list[str]
) -> None:
    present = {column for item in evidence for column in item.needs}
    identifiers = [(column,) for column in present if column.startswith("ident_")]
    deterministic: list[str | BlockingRuleCreator] = [
        in_mode(block_on(*columns), mode)
        for columns in (
            ("nhs_number_std",),
            ("upn_std",),
            *sorted(identifiers),
            ("first_name_group", "surname_std", "dob_text"),
        )
        if set(columns) <= present
    ]
    if not deterministic:
        warnings.append("No deterministic rule available; kept the default match prior")
        return
    try:
        linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.8)
    except Exception as exc:  # too few matches to estimate: keep the default
        warnings.append(f"Match prior not estimated: {exc}")


def _save_model(
    model: dict[str, Any], settings: LinkageSettings, meta: dict[str, Any]
) -> Path | None:
    if settings.model_dir is None:
        return None
    settings.model_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = settings.model_dir / f"{MODEL_NAME}-v{MODEL_VERSION}-{stamp}.json"
    path.write_text(json.dumps(model, indent=1), encoding="utf-8")
    path.with_suffix(".meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return path


def _why_labels(linker: Linker) -> dict[str, dict[int, str]]:
    labels: dict[str, dict[int, str]] = {}
    for comparison in linker._settings_obj.comparisons:
        labels[comparison.output_column_name] = {
            int(level.comparison_vector_value): str(level.label_for_charts)
            for level in comparison.comparison_levels
        }
    return labels


def link_records(
    records: pl.DataFrame,
    *,
    settings: LinkageSettings,
    progress: Callable[[str], None] | None = None,
) -> LinkageResult:
    """Link C2-shaped person records into people (see ``LinkageResult``).

    ``progress`` is told the name of each stage as it starts (for a progress bar).
    """
    say = progress or (lambda _message: None)
    say("standardising")
    timings: dict[str, float] = {}
    warnings: list[str] = []
    started = time.perf_counter()
    standardised = standardise_records(records)
    frame = standardised.select(model_columns(standardised))
    failures = parse_failures(standardised)
    warnings += [
        f"{row['count']:,} {row['field']} value(s) from {row['source']}: {row['problem']}"
        for row in failures
    ]
    timings["standardise"] = time.perf_counter() - started
    if frame.height < 2:
        result = _trivial_result(standardised, f"{frame.height} record(s): nothing to compare")
        result.parse_failures = failures
        return result
    evidence, blocking = chosen_evidence(frame), chosen_blocking(frame, settings.mode)
    if not blocking or len(evidence) < 2:
        raise LinkageInputError(
            "Too little to compare: records need values in at least two of first name, "
            "surname, date of birth, postcode, address, NHS number or UPN"
        )

    # Each step gets its own engine: Splink caches intermediate tables per engine, and a
    # predictor sharing the trainer's engine would silently score the training sample.
    say("counting comparisons")
    counter = open_engine(settings.backend)
    stage = time.perf_counter()
    comparisons = count_comparisons(counter, as_engine_table(counter, frame), blocking)
    total = sum(row["comparisons"] for row in comparisons)
    timings["count_comparisons"] = time.perf_counter() - stage
    if total > settings.max_comparisons:
        raise TooManyComparisonsError(
            f"Blocking would score {total:,} pairs, above the ceiling of "
            f"{settings.max_comparisons:,}: {comparisons}. Raise max_comparisons or tighten rules."
        )

    say("training the model")
    stage = time.perf_counter()
    model = _train(open_engine(settings.backend), frame, evidence, blocking, settings, warnings)
    engine = open_engine(settings.backend)
    linker = Linker(
        as_engine_table(engine, frame), model, db_api=engine, set_up_basic_logging=False
    )
    _estimate_prior(linker, evidence, settings.mode, warnings)
    timings["train"] = time.perf_counter() - stage

    say("probing what blocking misses")
    stage = time.perf_counter()
    trained = linker.misc.save_model_to_json()
    floor = min(settings.pairs_floor or settings.review_threshold, settings.review_threshold)
    probed, probe_report = probe_pairs(trained, frame, blocking, settings, floor)
    timings["probe_blocking"] = time.perf_counter() - stage

    say("scoring and clustering")
    stage = time.perf_counter()
    pairs, clusters, review = score_and_cluster(linker, frame, settings, extra_pairs=probed)
    timings["predict_and_cluster"] = time.perf_counter() - stage
    reach = {
        **probe_report,
        **recall_ceiling(pairs.filter(~pl.col("found_by_probe")), probed, settings.match_threshold),
    }
    ceiling = reach.get("estimated_recall_ceiling")
    if ceiling is not None and ceiling < 0.99:
        warnings.append(
            f"blocking: the main rules reach an estimated {ceiling:.1%} of likely matches; "
            f"probe rule(s) {', '.join(reach['rules_added'])} added for this run"
        )

    meta = {
        "model": MODEL_NAME,
        "version": MODEL_VERSION,
        "splink_version": splink.__version__,
        "backend": settings.backend,
        "records": frame.height,
        "comparisons": comparisons,
        "match_threshold": settings.match_threshold,
        "review_threshold": settings.review_threshold,
        "trained_at": datetime.now(UTC).isoformat(),
    }
    model_path = _save_model(trained, settings, meta)
    return LinkageResult(
        pairs=pairs,
        clusters=clusters,
        review_pairs=review,
        comparisons=comparisons,
        why_labels=_why_labels(linker),
        model_path=model_path,
        timings=timings,
        warnings=warnings,
        standardised=standardised,
        parse_failures=failures,
        blocking={"rules": comparisons, **reach},
        model=trained,
    )


def score_and_cluster(
    linker: Linker,
    frame: pl.DataFrame,
    settings: LinkageSettings,
    *,
    seed_pairs: pl.DataFrame | None = None,
    extra_pairs: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Scored pairs with their decision, clusters and the review band.

    Pairs at or above the match threshold join strongest first unless their evidence
    conflicts (``decisions``); a join that would contradict what a cluster already holds
    (``conflicts``) is refused. Both are held for review with a reason. Pairs down to
    ``pairs_floor`` are kept, marked ``below_threshold``, so the output shows them too.

    ``seed_pairs`` (record_key_l, record_key_r) are joins already made, e.g. the existing
    index when only new records were scored. ``extra_pairs`` were scored by the same model
    under other blocking rules (the blocking probes); they are marked ``found_by_probe``.
    """
    pairs = score_pairs(linker, frame, settings, extra_pairs=extra_pairs)
    return cluster_scored_pairs(pairs, frame, settings, seed_pairs=seed_pairs)


def score_pairs(
    linker: Linker,
    frame: pl.DataFrame,
    settings: LinkageSettings,
    *,
    extra_pairs: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The pairs the linker's blocking rules generate, scored, with ``conflict`` marked
    (see ``score_and_cluster``); reviewers' forced non-links are left out."""
    floor = min(settings.pairs_floor or settings.review_threshold, settings.review_threshold)
    scored = linker.inference.predict(threshold_match_probability=floor)
    pairs = fetch_frame(scored)
    gamma = [column for column in pairs.columns if column.startswith("gamma_")]
    kept = [*PAIR_COLUMNS, "match_weight", *gamma]
    pairs = pairs.select(*kept, pl.lit(value=False).alias("found_by_probe"))
    if extra_pairs is not None and not extra_pairs.is_empty():
        extra = extra_pairs.select(*kept, pl.lit(value=True).alias("found_by_probe"))
        pairs = pl.concat([pairs, extra], how="vertical_relaxed")
    pairs = without_pairs(pairs, settings.forced_non_links)
    identifiers = {"nhs_number", "upn", *map(identifier_label, identifier_columns(frame))}
    return conflicting_evidence(pairs, level_weights(linker), settings.match_threshold, identifiers)


def cluster_scored_pairs(
    pairs: pl.DataFrame,
    frame: pl.DataFrame,
    settings: LinkageSettings,
    *,
    seed_pairs: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Cluster the records of ``frame`` from ``score_pairs``' output and decide each
    pair (see ``score_and_cluster``)."""
    accepted = pairs.filter(
        (pl.col("match_probability") >= settings.match_threshold) & ~pl.col("conflict")
    ).select("record_key_l", "record_key_r", "match_probability")
    trusted = None if seed_pairs is None else without_pairs(seed_pairs, settings.forced_non_links)
    joinable = [accepted, *([] if trusted is None else [trusted])]
    forced = pl.Series([key for pair in settings.forced_links for key in pair], dtype=pl.Utf8)
    sides = [part[side] for part in joinable for side in ("record_key_l", "record_key_r")]
    clusters, refused = cluster_without_contradictions(
        frame["record_key"],
        accepted,
        identities(frame, pl.concat([forced, *sides]).unique()),
        trusted_pairs=trusted,
        forced_links=settings.forced_links,
        cannot_link=settings.forced_non_links,
        dates_weighed=_dates_weighed(pairs, settings.match_threshold),
    )
    clusters = clusters.join(frame.select("record_key", "source"), on="record_key", how="left")
    pairs = decide(
        pairs.join(
            refused.with_columns(pl.lit(value=True).alias("_refused")),
            on=["record_key_l", "record_key_r"],
            how="left",
        ),
        match_threshold=settings.match_threshold,
        review_threshold=settings.review_threshold,
        refused=pl.col("_refused").fill_null(value=False),
    ).drop("_refused", "conflict", "identified", "against", "strongest")
    return (
        pairs,
        clusters.select("record_key", "source", "cluster_id"),
        _review_band(pairs, clusters, settings),
    )


def _dates_weighed(pairs: pl.DataFrame, match_threshold: float) -> list[tuple[str, str]]:
    """Accepted pairs whose own dates of birth the model weighed and matched anyway:
    dates that differ outright (its lowest level), or that differ in any way while an
    identifier agrees. Their join is checked for identifiers only (see
    ``cluster_without_contradictions``)."""
    if "gamma_dob" not in pairs.columns:
        return []
    compared = pl.col("gamma_dob") >= 0  # both dates present
    weighed = pairs.filter(
        ((pl.col("gamma_dob") == 0) | (compared & pl.col("identified")))
        & (pl.col("match_probability") >= match_threshold)
        & ~pl.col("conflict")
    )
    return list(weighed.select("record_key_l", "record_key_r").iter_rows())


def _review_band(
    pairs: pl.DataFrame, clusters: pl.DataFrame, settings: LinkageSettings
) -> pl.DataFrame:
    """One question per pair of people the model could not decide on.

    Uncertain record pairs that no decision covers and that the clustering left apart,
    reduced to the most probable record pair for each pair of people: twins known to five
    agencies each are one question for an analyst, not twenty-five. People a reviewer has
    already ruled to be different (on any of their records) are not asked about again.
    """
    band = without_pairs(
        pairs.filter(pl.col("decision") == "held_for_review"), settings.forced_links
    )
    people = _people_pairs(band, clusters).filter(pl.col("_cl") != pl.col("_cr"))
    ruled = _people_pairs(
        pl.DataFrame(
            list(settings.forced_non_links),
            schema={"record_key_l": pl.Utf8, "record_key_r": pl.Utf8},
            orient="row",
        ),
        clusters,
    ).select("_a", "_b")
    return (
        people.join(ruled, on=["_a", "_b"], how="anti")
        .sort("match_probability", "record_key_l", "record_key_r", descending=[True, False, False])
        .unique(subset=["_a", "_b"], keep="first", maintain_order=True)
        .drop("_cl", "_cr", "_a", "_b")
    )


def _people_pairs(pairs: pl.DataFrame, clusters: pl.DataFrame) -> pl.DataFrame:
    """``pairs`` with each side's person (``_cl``, ``_cr``) and the unordered pair ``_a, _b``."""
    cluster_of = clusters.select("record_key", "cluster_id")
    return (
        pairs.join(
            cluster_of.rename({"record_key": "record_key_l", "cluster_id": "_cl"}),
            on="record_key_l",
        )
        .join(
            cluster_of.rename({"record_key": "record_key_r", "cluster_id": "_cr"}),
            on="record_key_r",
        )
        .with_columns(
            pl.min_horizontal("_cl", "_cr").alias("_a"), pl.max_horizontal("_cl", "_cr").alias("_b")
        )
    )
