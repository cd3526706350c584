"""Each covariate a plan can match on, in the words a commissioner reads.

A plan stores codes (``prior_events``, ``prior_agency:hcc-social-care``, ``locality:Harbridge``);
the balance table and the love plot show these labels. Every code gets words, including an
agency that sent events but is no longer registered here (its slug as words, saying so) and
families whose locality is not recorded, so a page never falls back to the raw code.
"""

from __future__ import annotations

from collections.abc import Iterable

from wraparound.core.labels import humanise
from wraparound.evaluation.pipeline import COVARIATES

AGENCY_PREFIX = "prior_agency:"
LOCALITY_PREFIX = "locality:"
UNKNOWN_LOCALITY = "unknown"  # what the design fills in for a family with no locality


def covariate_labels(codes: Iterable[str] = ()) -> dict[str, str]:
    """Code -> label for the fixed covariates, every registered agency and locality, and
    each code in ``codes`` (the covariates a run actually used)."""
    from wraparound.core.geography import load_geography
    from wraparound.core.models import Agency

    agencies = dict(Agency.objects.values_list("slug", "name"))
    labels = {code: text for code, text in COVARIATES.items() if "*" not in code}
    for slug, name in agencies.items():
        labels[f"{AGENCY_PREFIX}{slug}"] = _agency_words(name)
    for place in load_geography().localities:
        labels[f"{LOCALITY_PREFIX}{place}"] = f"Lives in {place}"
    for code in codes:
        labels.setdefault(code, covariate_label(code, agencies))
    return labels


def covariate_label(code: str, agencies: dict[str, str] | None = None) -> str:
    """One covariate in words; never the code itself."""
    if code in COVARIATES:  # including the families of them, "prior_agency:*" and "locality:*"
        return COVARIATES[code]
    if code.startswith(AGENCY_PREFIX):
        slug = code.removeprefix(AGENCY_PREFIX)
        name = (agencies or {}).get(slug)
        if name:
            return _agency_words(name)
        return (
            f"Events recorded by an agency no longer registered here ({humanise(slug)}) "
            "before the start"
        )
    if code.startswith(LOCALITY_PREFIX):
        place = code.removeprefix(LOCALITY_PREFIX)
        return "Locality not recorded" if place == UNKNOWN_LOCALITY else f"Lives in {place}"
    return humanise(code.replace(":", " "))


def _agency_words(name: str) -> str:
    return f"Events recorded by {name} before the start"
