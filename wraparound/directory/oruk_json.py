"""Directory objects as ORUK 3.0 JSON: the shapes of the hosted ORUK schema files.

One function per ORUK object. Optional fields with no value are left out (never ``null``), as
the ORUK validator expects; nested arrays are always present on fully nested objects.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from wraparound.directory.models import (
    Address,
    Attribute,
    Contact,
    CostOption,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

Json = dict[str, Any]


def compact(values: Json) -> Json:
    """Drop optional fields that have no value instead of sending null or ""."""
    return {key: value for key, value in values.items() if value is not None and value != ""}


def timestamp(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def clock(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


def number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def text_id(value: object) -> str | None:
    return str(value) if value else None


def taxonomy_term_json(term: TaxonomyTerm) -> Json:
    return compact(
        {
            "id": str(term.id),
            "name": term.name,
            "description": term.description,
            "parent_id": text_id(term.parent_id),
            "taxonomy": term.taxonomy or (term.taxonomy_ref.name if term.taxonomy_ref else None),
            "taxonomy_id": text_id(term.taxonomy_ref_id),
            "term_uri": term.term_uri,
            "term": term.term,
        }
    )


def taxonomy_json(taxonomy: Taxonomy, *, with_terms: bool = True) -> Json:
    values = compact(
        {
            "id": str(taxonomy.id),
            "name": taxonomy.name,
            "description": taxonomy.description,
            "uri": taxonomy.uri,
            "version": taxonomy.version,
        }
    )
    if with_terms:
        values["taxonomy_terms"] = [taxonomy_term_json(t) for t in taxonomy.terms.all()]
    return values


def attribute_json(attribute: Attribute) -> Json:
    return compact(
        {
            "id": str(attribute.id),
            "link_id": str(attribute.link_id),
            "link_type": attribute.link_type,
            "link_entity": attribute.link_entity,
            "taxonomy_term_id": str(attribute.taxonomy_term_id),
            "taxonomy_term": taxonomy_term_json(attribute.taxonomy_term),
        }
    )


def organization_json(
    organization: Organization, *, nested: bool = False, services: list[Json] | None = None
) -> Json:
    values = compact(
        {
            "id": str(organization.id),
            "name": organization.name,
            "description": organization.description,
            "email": organization.email,
            "website": organization.website,
            "logo": organization.logo,
            "uri": organization.uri,
            "parent_organization_id": text_id(organization.parent_organization_id),
        }
    )
    if nested:
        values["organization_identifiers"] = []
        values["attributes"] = [attribute_json(a) for a in organization.attributes.all()]
    if services is not None:
        values["services"] = services
    return values


def address_json(address: Address) -> Json:
    return compact(
        {
            "id": str(address.id),
            "location_id": str(address.location_id),
            "attention": address.attention,
            "address_1": address.address_1,
            "city": address.city,
            "region": address.region,
            "state_province": address.state_province,
            "postal_code": address.postal_code,
            "country": address.country,
            "address_type": address.address_type,
        }
    )


def location_json(location: Location) -> Json:
    values = compact(
        {
            "id": str(location.id),
            "location_type": location.location_type,
            "name": location.name,
            "description": location.description,
            "latitude": number(location.latitude),
            "longitude": number(location.longitude),
            "external_identifier": location.external_identifier,
            "external_identifier_type": location.external_identifier_type,
        }
    )
    values["addresses"] = [address_json(a) for a in location.addresses.all()]
    values["accessibility"] = []
    values["attributes"] = [attribute_json(a) for a in location.attributes.all()]
    return values


def schedule_json(schedule: Schedule) -> Json:
    return compact(
        {
            "id": str(schedule.id),
            "service_id": text_id(schedule.service_id),
            "service_at_location_id": text_id(schedule.service_at_location_id),
            "valid_from": day(schedule.valid_from),
            "valid_to": day(schedule.valid_to),
            "dtstart": day(schedule.dtstart),
            "freq": schedule.freq,
            "interval": schedule.interval,
            "byday": schedule.byday,
            "bymonthday": schedule.bymonthday,
            "description": schedule.description,
            "opens_at": clock(schedule.opens_at),
            "closes_at": clock(schedule.closes_at),
            "schedule_link": schedule.schedule_link,
            "attending_type": schedule.attending_type,
            "notes": schedule.notes,
        }
    )


def service_at_location_json(link: ServiceAtLocation, *, with_service: bool = False) -> Json:
    values: Json = {
        "id": str(link.id),
        "service_id": str(link.service_id),
        "location_id": str(link.location_id),
        "location": location_json(link.location),
    }
    if link.description:
        values["description"] = link.description
    if with_service:
        values["service"] = service_json(link.service, full=False)
    return values


def service_area_json(area: ServiceArea) -> Json:
    return compact(
        {
            "id": str(area.id),
            "service_id": str(area.service_id),
            "name": area.name,
            "extent": area.extent,
            "extent_type": area.extent_type,
            "uri": area.uri,
            "service_area": area.service_area,
        }
    )


def cost_option_json(cost: CostOption) -> Json:
    return compact(
        {
            "id": str(cost.id),
            "service_id": str(cost.service_id),
            "valid_from": day(cost.valid_from),
            "valid_to": day(cost.valid_to),
            "option": cost.option,
            "amount": number(cost.amount),
            "amount_description": cost.amount_description,
        }
    )


def contact_json(contact: Contact) -> Json:
    values = compact(
        {
            "id": str(contact.id),
            "service_id": text_id(contact.service_id),
            "name": contact.name,
            "title": contact.title,
        }
    )
    values["phones"] = [
        compact(
            {
                "id": str(p.id),
                "contact_id": str(contact.id),
                "number": p.number,
                "description": p.description,
            }
        )
        for p in contact.phones.all()
    ]
    values["attributes"] = []
    return values


def service_json(service: Service, *, full: bool = True) -> Json:
    """A service: one-to-one fields plus its organisation, and with ``full`` every nested list."""
    values = compact(
        {
            "id": str(service.id),
            "organization_id": text_id(service.organization_id),
            "name": service.name,
            "description": service.description,
            "url": service.url,
            "email": service.email,
            "status": service.status,
            "fees": service.fees,
            "accreditations": service.accreditations,
            "minimum_age": number(service.minimum_age),
            "maximum_age": number(service.maximum_age),
            "assured_date": day(service.assured_date),
            "assurer_email": service.assurer_email,
            "alert": service.alert,
            "last_modified": timestamp(service.last_modified),
        }
    )
    if service.organization is not None:
        values["organization"] = organization_json(service.organization)
    if full:
        values["schedules"] = [schedule_json(s) for s in service.schedules.all()]
        values["service_areas"] = [service_area_json(a) for a in service.service_areas.all()]
        values["service_at_locations"] = [
            service_at_location_json(link) for link in service.at_locations.all()
        ]
        values["languages"] = []
        values["funding"] = []
        values["cost_options"] = [cost_option_json(c) for c in service.cost_options.all()]
        values["contacts"] = [contact_json(c) for c in service.contacts.all()]
        values["attributes"] = [attribute_json(a) for a in service.attributes.all()]
    return values
