"""Writes to the directory: the partnership's own vocabularies and its agencies' organisations.

Whole feeds are written by `feed.import_feed`; these are the few objects Wraparound itself owns.
"""

from __future__ import annotations

import uuid

from django.db import transaction

from wraparound.core.models import Agency
from wraparound.directory.models import Organization, Taxonomy, TaxonomyTerm
from wraparound.directory.vocabulary import NAMESPACE, load_taxonomies


def organization_id_for(agency_slug: str) -> uuid.UUID:
    """The stable organisation id of a partner agency, the same in every export."""
    return uuid.uuid5(NAMESPACE, f"organization:{agency_slug}")


@transaction.atomic
def ensure_vocabulary() -> int:
    """Create or refresh the partnership's taxonomies and terms; returns the number of terms."""
    count = 0
    for spec in load_taxonomies():
        taxonomy, _ = Taxonomy.objects.update_or_create(
            id=spec.id,
            defaults={"name": spec.name, "description": spec.description, "version": "1"},
        )
        for term in spec.terms:
            TaxonomyTerm.objects.update_or_create(
                id=term.id,
                defaults={
                    "taxonomy_ref": taxonomy,
                    "taxonomy": spec.name,
                    "name": term.name,
                    "description": term.description,
                    "term": term.term,
                },
            )
            count += 1
    return count


@transaction.atomic
def ensure_agency_organization(*, agency: Agency, description: str = "") -> Organization:
    """The directory organisation standing for a partner agency (created on first use)."""
    organization, created = Organization.objects.get_or_create(
        agency=agency,
        defaults={
            "id": organization_id_for(agency.slug),
            "name": agency.name,
            "description": description
            or f"{agency.get_kind_display()} partner of the partnership.",
        },
    )
    if not created and organization.name != agency.name:
        organization.name = agency.name
        organization.save(update_fields=["name", "last_modified"])
    return organization
