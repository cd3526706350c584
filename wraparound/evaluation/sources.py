"""Where the evaluation pipeline's inputs come from (pipeline-only reads, never shown).

Events and family membership are the needs pipeline's own inputs (contracts C2 and C3,
through ``wraparound.needs.sources``); deprivation is the county's ward deciles, looked up
from each member record's postcode. What leaves the pipeline is aggregate and is released
to users only through the sharing gate (``wraparound.evaluation.reports``).

Treatment comes from the plan's source. ``support_events``: a start event in the agency's
imported records (works today). ``accepted_referrals``: the seam for the referrals app; until
it provides ``wraparound.referrals.selectors.accepted_referral_starts()`` returning
(family_public_id, start_date) rows, a plan with that source cannot run and says why.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl
import yaml

from wraparound.needs import sources as needs_sources

LOCALITIES = Path(__file__).parents[1] / "synth" / "catalogues" / "localities.yaml"
EvaluationSourceError = needs_sources.NeedsSourceError


class TreatmentSourceUnavailableError(RuntimeError):
    """The plan's treatment source has no provider yet; the message says which."""


def events_frame() -> pl.DataFrame:
    return needs_sources.events_frame()


def membership_frame() -> pl.DataFrame:
    return needs_sources.membership_frame()


@cache
def ward_deprivation() -> dict[str, int]:
    """Ward -> deprivation decile (1 = most deprived): the county's reference data."""
    raw = yaml.safe_load(LOCALITIES.read_text(encoding="utf-8"))
    return {
        ward["name"]: int(ward["deprivation_decile"])
        for locality in raw["localities"]
        for ward in locality["wards"]
    }


def deprivation_frame(membership: pl.DataFrame) -> pl.DataFrame:
    """family_public_id -> the median deprivation decile of its members' record postcodes."""
    from wraparound.directory.geography import load_geography
    from wraparound.records.selectors import person_records_frame

    records = person_records_frame().select("record_key", "postcode").drop_nulls()
    geography = load_geography()
    deciles = ward_deprivation()
    postcodes = records["postcode"].unique().to_list()
    wards = [geography.ward_for_postcode(p) for p in postcodes]
    lookup = pl.DataFrame(
        {
            "postcode": postcodes,
            "deprivation_decile": [deciles.get(w.name) if w else None for w in wards],
        },
        schema={"postcode": pl.String, "deprivation_decile": pl.Int64},
    )
    return (
        membership.select("record_key", "family_public_id")
        .join(records.join(lookup, on="postcode"), on="record_key")
        .group_by("family_public_id")
        .agg(pl.col("deprivation_decile").median().round().cast(pl.Int64))
    )


def accepted_referral_starts() -> pl.DataFrame:
    """(family_public_id, start_date) of accepted referrals: the referrals app's seam."""
    try:
        from wraparound.referrals.selectors import (  # type: ignore[import-not-found]
            accepted_referral_starts as provider,
        )
    except ImportError as error:
        raise TreatmentSourceUnavailableError(
            "Accepted referrals are not available yet (the referrals app does not provide "
            "accepted_referral_starts()); use 'started support' as the treatment source."
        ) from error
    frame: pl.DataFrame = provider()
    return frame
