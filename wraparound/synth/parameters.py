"""The knobs of the synthetic county, with defaults that reproduce the targeting gap."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any


class ParameterError(ValueError):
    """A county parameter is out of range; the message says which and why."""


@dataclass(frozen=True)
class CountyParameters:
    """Everything that decides a synthetic county; the same values give the same files.

    at_risk_rate: share of children in families with three or more Supporting Families needs.
    statutory_support_rate: share of children in families receiving statutory support.
    support_precision: share of statutorily supported children who are at risk (below 0.5
      means most of those supported are not among the at-risk: the targeting gap).
    effect_service / effect_size: families engaging with this agency's service have
      need-driven events after engagement reduced by this fraction (the planted effect).
    chunk_households: households generated per chunk; part of the seed's identity.
    """

    households: int
    seed: int
    as_of: date = date(2026, 3, 31)
    years: int = 3
    at_risk_rate: float = 0.20
    statutory_support_rate: float = 0.08
    support_precision: float = 0.35
    early_help_rate: float = 0.06
    effect_service: str = "home-start-hartshire"
    engagement_rate: float = 0.30
    effect_size: float = 0.30
    move_rate: float = 0.12
    name_change_rate: float = 0.04
    expectant_rate: float = 0.05
    chunk_households: int = 10_000

    def __post_init__(self) -> None:
        if not 1 <= self.households <= 2_000_000:
            raise ParameterError("households must be between 1 and 2,000,000")
        if self.years < 1 or self.years > 10:
            raise ParameterError("years must be between 1 and 10")
        for name in (
            "at_risk_rate",
            "statutory_support_rate",
            "support_precision",
            "early_help_rate",
            "engagement_rate",
            "effect_size",
            "move_rate",
            "name_change_rate",
            "expectant_rate",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ParameterError(f"{name} must be between 0 and 1, not {value}")
        if not 0 < self.at_risk_rate < 1:
            raise ParameterError("at_risk_rate must be strictly between 0 and 1")
        at_risk_share = self.statutory_support_rate * self.support_precision / self.at_risk_rate
        not_at_risk_share = (
            self.statutory_support_rate * (1 - self.support_precision) / (1 - self.at_risk_rate)
        )
        if at_risk_share > 1 or not_at_risk_share > 1:
            raise ParameterError(
                "statutory_support_rate x support_precision cannot exceed at_risk_rate "
                "(more supported at-risk children than there are at-risk children)"
            )
        if self.chunk_households < 100:
            raise ParameterError("chunk_households must be at least 100")

    @property
    def window_start(self) -> date:
        """First day of the observation window that events fall in."""
        return self.as_of - timedelta(days=round(365.25 * self.years))

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        return data
