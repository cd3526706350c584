"""The demo partnership's directory: 136 fictional services across every agency and ward.

Built as an ORUK feed from ``catalogues/demo_services.yaml`` and loaded through the same
importer other partnerships' feeds go through, so the demo exercises the real import path.
Deterministic: the same seed gives the same ids, addresses and phone numbers.
"""

from __future__ import annotations

import random
import uuid
from pathlib import Path
from typing import Any

import yaml

from wraparound.core.geography import Ward, load_geography
from wraparound.core.models import Agency
from wraparound.directory.feed import import_feed
from wraparound.directory.services import ensure_agency_organization, ensure_vocabulary
from wraparound.directory.vocabulary import (
    ACCESS,
    CIRCUMSTANCES,
    NAMESPACE,
    NEEDS,
    THRESHOLD,
    term_id,
)

DEMO_SERVICES = Path(__file__).resolve().parent / "catalogues" / "demo_services.yaml"
LOCALITIES = Path(__file__).resolve().parent.parent / "synth" / "catalogues" / "localities.yaml"


def _id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-").replace("--", "-")


def _expand(
    template: dict[str, Any], county: str, deprived: set[str]
) -> list[tuple[str, Ward, str]]:
    """(service name, base ward, area served) for each service a template stands for."""
    geography = load_geography()
    if template["per"] == "county":
        return [(template["name"], geography.ward(template["base"]), county)]
    if template["per"] == "locality":
        chosen = template.get("localities") or geography.localities
        return [
            (template["name"].format(locality=loc), geography.wards_in(loc)[0], loc)
            for loc in chosen
        ]
    wards = template["wards"]
    if wards == "all":
        names = [w.name for w in geography.wards]
    elif wards == "deprived":
        names = [w.name for w in geography.wards if w.name in deprived]
    else:
        names = list(wards)
    return [(template["name"].format(ward=n), geography.ward(n), n) for n in names]


def _location(
    agency: Agency, ward: Ward, rng: random.Random, streets: dict[str, list[str]]
) -> dict[str, Any]:
    location_id = _id("location", agency.slug, ward.name)
    street = (
        f"{rng.randint(1, 120)} {rng.choice(streets['names'])} {rng.choice(streets['suffixes'])}"
    )
    postcode = f"YH{ward.district} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
    return {
        "id": location_id,
        "location_type": "physical",
        "name": f"{agency.name}, {ward.name}",
        "addresses": [
            {
                "id": _id("address", location_id),
                "location_id": location_id,
                "address_1": street,
                "city": ward.locality,
                "state_province": "Hartshire",
                "postal_code": postcode,
                "country": "GB",
                "address_type": "physical",
            }
        ],
    }


def _service(
    template: dict[str, Any],
    name: str,
    ward: Ward,
    area: str,
    agency: Agency,
    organization_id: str,
    rng: random.Random,
    streets: dict[str, list[str]],
) -> dict[str, Any]:
    service_id = _id("service", name)
    location = _location(
        agency, ward, random.Random(f"{rng.random()}:{agency.slug}:{ward.name}"), streets
    )
    terms = [(NEEDS, n) for n in template["needs"]]
    terms += [(CIRCUMSTANCES, c) for c in template.get("circumstances", [])]
    terms += [(ACCESS, template["access"]), (THRESHOLD, template["threshold"])]
    minimum, maximum = template["ages"]
    return {
        "id": service_id,
        "organization_id": organization_id,
        "name": name,
        "description": template["description"],
        "url": f"https://{agency.slug}.example.org/services/{_slug(name)}",
        "email": f"{_slug(name)[:40]}@{agency.slug}.example.org",
        "status": "active",
        "minimum_age": minimum,
        "maximum_age": maximum,
        "assured_date": "2026-09-01",
        "service_areas": [
            {
                "id": _id("area", service_id, area),
                "service_id": service_id,
                "name": area,
                "extent": area,
                "extent_type": "text",
            }
        ],
        "service_at_locations": [
            {
                "id": _id("at", service_id, location["id"]),
                "service_id": service_id,
                "location_id": location["id"],
                "location": location,
            }
        ],
        "schedules": [
            {
                "id": _id("schedule", service_id),
                "service_id": service_id,
                "freq": "WEEKLY",
                "byday": "MO,TU,WE,TH,FR",
                "opens_at": "09:00",
                "closes_at": "17:00",
                "description": "Monday to Friday, 9am to 5pm",
            }
        ],
        "cost_options": [
            {
                "id": _id("cost", service_id),
                "service_id": service_id,
                "option": "Free",
                "amount": 0,
                "amount_description": "No charge to families",
            }
        ],
        "contacts": [
            {
                "id": _id("contact", service_id),
                "service_id": service_id,
                "title": "Duty worker",
                "phones": [
                    {
                        "id": _id("phone", service_id),
                        "number": f"01632 960{rng.randint(0, 999):03d}",
                    }
                ],
            }
        ],
        "attributes": [
            {
                "id": _id("attribute", service_id, key, term),
                "link_id": service_id,
                "link_type": key,
                "link_entity": "service",
                "taxonomy_term_id": str(term_id(key, term)),
            }
            for key, term in terms
        ],
    }


def build_demo_feed(seed: int = 1) -> dict[str, Any]:
    """The demo directory as an ORUK feed; organisations must already exist for its agencies."""
    localities = yaml.safe_load(LOCALITIES.read_text(encoding="utf-8"))
    deprived = {
        w["name"]
        for loc in localities["localities"]
        for w in loc["wards"]
        if w["deprivation_decile"] <= 5
    }
    streets = {"names": localities["street_names"], "suffixes": localities["street_suffixes"]}
    templates = yaml.safe_load(DEMO_SERVICES.read_text(encoding="utf-8"))["templates"]
    agencies = {a.slug: a for a in Agency.objects.filter(slug__in={t["agency"] for t in templates})}
    rng = random.Random(seed)
    services = []
    for template in templates:
        agency = agencies.get(template["agency"])
        if agency is None:
            continue
        organization = ensure_agency_organization(agency=agency)
        for name, ward, area in _expand(template, localities["county"], deprived):
            services.append(
                _service(template, name, ward, area, agency, str(organization.id), rng, streets)
            )
    return {"version": "HSDS-UK-3.0", "services": services}


def load_demo(context: dict[str, Any]) -> str:
    """Called by the core demo loader once the partnership's agencies exist."""
    ensure_vocabulary()
    feed = build_demo_feed(int(context.get("seed") or 1))
    summary = import_feed(feed)
    return f"directory of {len(feed['services'])} services. {summary.describe()}"
