"""Where the evaluation pipeline's inputs come from (pipeline-only reads, never shown).

Events and family membership are the needs pipeline's own inputs (contracts C2 and C3,
through ``wraparound.needs.sources``); deprivation is the county's ward deciles, looked up
from each member record's postcode. What leaves the pipeline is aggregate and is released
to users only through the sharing gate (``wraparound.evaluation.reports``).

Treatment comes from the plan's source. ``support_events``: a start event in the agency's
imported records (works today). ``accepted_referrals``: the seam for the referrals app:
(family_public_id, start_date) rows come from the referrals app: its
``selectors.accepted_referral_starts(service_id)`` if it offers one, else its ``Referral``
rows accepted for the plan's service.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

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
    from wraparound.core.geography import load_geography
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


def accepted_referral_starts(service_id: Any) -> pl.DataFrame:
    """(family_public_id, start_date) of referrals to the service that were accepted.

    Uses ``wraparound.referrals.selectors.accepted_referral_starts(service_id)`` when the
    referrals app offers it; otherwise reads its ``Referral`` model (pipeline-only, never
    shown): accepted, or closed after an acceptance (decided with no decline reason), dated
    by the decision.
    """
    try:
        from wraparound.referrals import selectors as referral_selectors
        from wraparound.referrals.models import Referral, State
    except ImportError as error:
        raise TreatmentSourceUnavailableError(
            "Accepted referrals are not available (no referrals app); use 'started support' "
            "as the treatment source."
        ) from error
    provider = getattr(referral_selectors, "accepted_referral_starts", None)
    if provider is not None:
        frame: pl.DataFrame = provider(service_id)
        return frame
    rows = (
        Referral.objects.filter(
            to_service_id=service_id, decided_at__isnull=False, decline_reason=""
        )
        .filter(state__in=[State.ACCEPTED, State.CLOSED])
        .values_list("family_public_id", "decided_at")
    )
    return pl.DataFrame(
        [(family, decided.date()) for family, decided in rows],
        schema={"family_public_id": pl.String, "start_date": pl.Date},
        orient="row",
    )
