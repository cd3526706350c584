"""Every page that names a family or a person refuses without need-to-know, and says so in
the audit trail. Enumerated from the access table, so a new page is covered the day it is added.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from wraparound.core.models import AgencyKind, Role
from wraparound.core.tests.access_table import EXPECTED, PUBLIC
from wraparound.core.tests.factories import AgencyFactory, UserFactory
from wraparound.sharing.models import AuditEntry, AuditOutcome

SUBJECT_KWARGS = ("family_public_id", "person_public_id")
ROLES_THAT_READ_INDIVIDUALS = (Role.PRACTITIONER, Role.TEAM_MANAGER)


def _subject_rows() -> list[Any]:
    rows = []
    for row in EXPECTED:
        pattern_kwargs = _kwargs_of(row.url_name)
        if any(k in pattern_kwargs for k in SUBJECT_KWARGS):
            rows.append(row)
    return rows


def _kwargs_of(url_name: str) -> set[str]:
    namespace, _, name = url_name.rpartition(":")
    resolver = get_resolver()
    for ns in filter(None, namespace.split(":")):
        resolver = resolver.namespace_dict[ns][1]
    possibilities = resolver.reverse_dict.getlist(name)
    return {param for entry in possibilities for param in entry[0][0][1]}


def test_the_enumeration_finds_the_family_page() -> None:
    assert "casework:family" in {row.url_name for row in _subject_rows()}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES_THAT_READ_INDIVIDUALS)
def test_subject_pages_refuse_without_a_relationship_and_audit_the_refusal(
    role: str, seeded: dict[str, Any]
) -> None:
    failures = []
    for kind in (AgencyKind.POLICE, AgencyKind.HEALTH, AgencyKind.VOLUNTARY):
        agency = AgencyFactory(slug=f"subject-{kind}", name=f"Subject {kind}", kind=kind)
        user = UserFactory(username=f"subject-{kind}-{role}", agency=agency, role=role)
        for row in _subject_rows():
            if row.allowed == PUBLIC:
                failures.append((row.url_name, "a page naming a family or person is public"))
                continue
            kwargs = row.kwargs(seeded) if row.kwargs else {}
            subject = kwargs.get("family_public_id") or kwargs.get("person_public_id")
            before = AuditEntry.objects.count()
            client = Client()
            client.force_login(user)
            response = client.get(reverse(row.url_name, kwargs=kwargs))
            new = AuditEntry.objects.filter(sequence__gt=before).order_by("sequence")
            if response.status_code != 403:
                failures.append((row.url_name, kind, response.status_code))
            if (
                not new.filter(outcome=AuditOutcome.DENY, actor_id=user.pk)
                .filter(family_public_id=subject)
                .exists()
                and not new.filter(
                    outcome=AuditOutcome.DENY, actor_id=user.pk, person_public_id=subject
                ).exists()
            ):
                failures.append((row.url_name, kind, "refusal not audited"))
    assert not failures, failures


@pytest.fixture
def seeded(db: Any) -> dict[str, Any]:
    from wraparound.core.tests import seed

    return seed.seed_for_access_tests()
