"""The referral catalogues (decline, close and withdraw reasons), loaded and checked once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

CATALOGUE = Path(__file__).resolve().parent / "catalogues" / "referrals.yaml"


@dataclass(frozen=True)
class Reasons:
    decline: dict[str, str]
    close: dict[str, str]
    withdraw: dict[str, str]


@cache
def reasons() -> Reasons:
    data = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))

    def table(key: str) -> dict[str, str]:
        entries = data[key]
        codes = [e["code"] for e in entries]
        if len(set(codes)) != len(codes):
            raise ValueError(f"referrals.yaml: {key} repeats a code.")
        return {e["code"]: e["label"] for e in entries}

    return Reasons(table("decline_reasons"), table("close_reasons"), table("withdraw_reasons"))
