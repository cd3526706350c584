"""Directory objects the access-by-role test needs: one service with a location and terms."""

from __future__ import annotations

from typing import Any

from wraparound.core.tests.factories import AgencyFactory
from wraparound.directory.models import (
    Address,
    Attribute,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from wraparound.directory.models import Location as Place
from wraparound.directory.services import ensure_agency_organization, ensure_vocabulary
from wraparound.directory.vocabulary import NEEDS, taxonomy_id, term_id


def seed(context: dict[str, Any]) -> None:
    ensure_vocabulary()
    agency = AgencyFactory(
        slug="directory-seed-agency", name="Directory Seed Agency", kind="voluntary"
    )
    organization = ensure_agency_organization(agency=agency)
    service = Service.objects.create(
        organization=organization, name="Seed parenting group", description="For the access test.",
        minimum_age=0, maximum_age=17,
    )  # fmt: skip
    place = Place.objects.create(location_type="physical", name="Seed family hub")
    Address.objects.create(
        location=place, address_1="1 Mill Lane", city="Harbridge", state_province="Hartshire",
        postal_code="YH1 1AA", country="GB", address_type="physical",
    )  # fmt: skip
    link = ServiceAtLocation.objects.create(service=service, location=place)
    ServiceArea.objects.create(service=service, name="Harbridge")
    term = TaxonomyTerm.objects.get(id=term_id(NEEDS, "family_relationships"))
    Attribute.objects.create(service=service, taxonomy_term=term, link_type=NEEDS)
    context.update(
        directory_service=service,
        directory_organization=organization,
        directory_taxonomy=Taxonomy.objects.get(id=taxonomy_id(NEEDS)),
        directory_term=term,
        directory_service_at_location=link,
    )
