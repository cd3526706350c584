"""Does this family or person exist in the master index, and who are its members?

The sharing app keys subjects by public id; writes about a subject (consent, relationships)
must name one that exists, or a typo would silently govern nobody. These are identifiers
only, never names, so they need no policy decision; reading them is allow-listed for the
bypass test (``core/tests/test_no_bypass_of_the_policy.py``).
"""

from __future__ import annotations


def family_exists(family_public_id: str) -> bool:
    from wraparound.matching.models import Family

    return Family.objects.filter(public_id=family_public_id, retired_at__isnull=True).exists()


def person_exists(person_public_id: str) -> bool:
    from wraparound.matching.models import Person

    return Person.objects.filter(public_id=person_public_id, retired_at__isnull=True).exists()


def person_in_family(person_public_id: str, family_public_id: str) -> bool:
    from wraparound.matching.models import FamilyMembership

    return FamilyMembership.objects.filter(
        person__public_id=person_public_id, family__public_id=family_public_id
    ).exists()


def families_of_person(person_public_id: str) -> list[str]:
    from wraparound.matching.models import FamilyMembership

    return list(
        FamilyMembership.objects.filter(person__public_id=person_public_id).values_list(
            "family__public_id", flat=True
        )
    )
