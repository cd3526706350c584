"""Hartshire's schematic geography: where each ward sits and which postcode district it is.

Pure (no Django), in core because several capabilities stand on it: the directory's
partnership map and reach, needs (families by locality), referrals and the demo data all place
things through this one module, loaded once from ``catalogues/geography.yaml`` and checked
against the synthetic county's ``localities.yaml`` so the two cannot drift apart.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

PACKAGE_DIR = Path(__file__).resolve().parent
GEOGRAPHY_FILE = PACKAGE_DIR / "catalogues" / "geography.yaml"
LOCALITIES_FILE = PACKAGE_DIR.parent / "synth" / "catalogues" / "localities.yaml"
_DISTRICT = re.compile(r"^\s*([A-Z]{1,2})(\d{1,2})[A-Z]?\b", re.IGNORECASE)


class GeographyError(ValueError):
    """The geography catalogue disagrees with itself or with the county's localities."""


@dataclass(frozen=True)
class Ward:
    name: str
    locality: str
    district: int
    x_km: float
    y_km: float


@dataclass(frozen=True)
class Geography:
    county: str
    postcode_area: str
    width_km: float
    height_km: float
    wards: tuple[Ward, ...]

    @property
    def localities(self) -> list[str]:
        return list(dict.fromkeys(ward.locality for ward in self.wards))

    def ward(self, name: str) -> Ward:
        for ward in self.wards:
            if ward.name == name:
                return ward
        raise GeographyError(f"No ward called {name!r} in the geography catalogue.")

    def wards_in(self, locality: str) -> list[Ward]:
        return [ward for ward in self.wards if ward.locality == locality]

    def ward_for_postcode(self, postcode: str) -> Ward | None:
        """The ward whose district a postcode (or bare district such as "YH12") falls in."""
        match = _DISTRICT.match(postcode or "")
        if not match or match.group(1).upper() != self.postcode_area:
            return None
        district = int(match.group(2))
        return next((ward for ward in self.wards if ward.district == district), None)

    def place(self, where: str) -> Ward | None:
        """Resolve a ward name, a postcode or a postcode district to a ward."""
        for ward in self.wards:
            if ward.name == where:
                return ward
        return self.ward_for_postcode(where)

    def areas_covering(self, ward: Ward) -> set[str]:
        """Service-area names that include a ward: the ward, its locality, the whole county."""
        return {ward.name, ward.locality, self.county}

    def locality_centre(self, locality: str) -> tuple[float, float]:
        wards = self.wards_in(locality)
        return (
            sum(w.x_km for w in wards) / len(wards),
            sum(w.y_km for w in wards) / len(wards),
        )


def distance_km(a: Ward, b: Ward) -> float:
    """Straight-line distance between two ward centres on the schematic grid."""
    return math.hypot(a.x_km - b.x_km, a.y_km - b.y_km)


def build_geography(geography: dict, localities: dict) -> Geography:  # type: ignore[type-arg]
    """Join the two catalogues, refusing any ward missing, duplicated or mis-districted."""
    placed = {entry["ward"]: entry for entry in geography.get("wards", [])}
    if len(placed) != len(geography.get("wards", [])):
        raise GeographyError("geography.yaml lists a ward twice.")
    wards: list[Ward] = []
    for locality in localities["localities"]:
        for ward in locality["wards"]:
            entry = placed.pop(ward["name"], None)
            if entry is None:
                raise GeographyError(f"geography.yaml has no position for ward {ward['name']!r}.")
            if int(entry["district"]) != int(ward["district"]):
                raise GeographyError(
                    f"Ward {ward['name']!r}: district {entry['district']} in geography.yaml but "
                    f"{ward['district']} in localities.yaml."
                )
            wards.append(
                Ward(
                    name=ward["name"],
                    locality=locality["name"],
                    district=int(ward["district"]),
                    x_km=float(entry["x_km"]),
                    y_km=float(entry["y_km"]),
                )
            )
    if placed:
        raise GeographyError(f"geography.yaml places unknown wards: {sorted(placed)}.")
    return Geography(
        county=str(localities.get("county", "")),
        postcode_area=str(localities.get("postcode_area", "YH")).upper(),
        width_km=float(geography["width_km"]),
        height_km=float(geography["height_km"]),
        wards=tuple(wards),
    )


@cache
def load_geography() -> Geography:
    """The county geography, loaded and checked once per process."""
    return build_geography(
        yaml.safe_load(GEOGRAPHY_FILE.read_text(encoding="utf-8")),
        yaml.safe_load(LOCALITIES_FILE.read_text(encoding="utf-8")),
    )
