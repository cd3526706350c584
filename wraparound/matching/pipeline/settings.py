"""What a caller may tune about a linkage run, with safe defaults for a county."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from wraparound.matching.pipeline.clusters import PairKey
from wraparound.matching.pipeline.errors import LinkageConfigurationError
from wraparound.matching.pipeline.model import MODES

# The pipeline saves no model unless told where (the Django layer passes settings.MODEL_DIR).
DEFAULT_MODEL_DIR: Path | None = None


@dataclass(frozen=True)
class LinkageSettings:
    """Thresholds, sampling sizes and clerical decisions for one run.

    Pairs at or above ``match_threshold`` join people automatically; pairs from
    ``review_threshold`` up to ``match_threshold`` go to clerical review; below that they
    are discarded, except that pairs down to ``pairs_floor`` are still reported (marked
    below threshold). ``mode`` says which pairs may join (``model.MODES``).
    ``probe_comparisons`` caps the extra pairs scored to estimate what the blocking rules
    miss (0 switches the estimate off). ``forced_links``/``forced_non_links`` are
    reviewers' decisions, which override the model.
    """

    match_threshold: float = 0.95
    review_threshold: float = 0.50
    pairs_floor: float | None = None
    mode: str = "link_and_dedupe"
    probe_comparisons: int = 2_000_000
    backend: str = "duckdb"
    model_dir: Path | None = DEFAULT_MODEL_DIR
    max_comparisons: int = 200_000_000
    training_sample_records: int = 150_000
    u_sample_pairs: int = 1_500_000
    seed: int = 42
    forced_links: frozenset[PairKey] = field(default_factory=frozenset)
    forced_non_links: frozenset[PairKey] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not 0 < self.review_threshold <= self.match_threshold <= 1:
            raise LinkageConfigurationError(
                "Thresholds must satisfy 0 < review_threshold <= match_threshold <= 1 "
                f"(got review {self.review_threshold}, match {self.match_threshold})"
            )
        if self.pairs_floor is not None and not 0 < self.pairs_floor <= 1:
            raise LinkageConfigurationError(
                f"pairs_floor must be above 0 and at most 1 (got {self.pairs_floor})"
            )
        if self.mode not in MODES:
            raise LinkageConfigurationError(
                f"mode must be one of {', '.join(MODES)} (got {self.mode!r})"
            )
        if self.training_sample_records < 2:
            raise LinkageConfigurationError("training_sample_records must be at least 2")
