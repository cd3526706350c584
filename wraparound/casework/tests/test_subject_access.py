"""An IG officer's subject access report lists the agency records and events about a person."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from wraparound.casework.tests.builders import known_family
from wraparound.core.models import Role
from wraparound.sharing.models import AuditEntry
from wraparound.sharing.tests import factories as sharing

pytestmark = pytest.mark.django_db


def test_subject_access_report_lists_linked_agency_records_and_events_and_is_audited() -> None:
    family = known_family()
    officer = sharing.worker(family.early_help, role=Role.IG_OFFICER)
    client = Client()
    client.force_login(officer)

    response = client.get(reverse("sharing:subject-access"), {"person": "P-MOTHER01"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Agency records linked to this person" in body
    assert "Hartshire Constabulary" in body
    assert "Community Health" in body
    assert body.count("domestic_abuse_incident") == 3
    assert "Ruby" not in body  # the child's records are not the mother's
    assert AuditEntry.objects.filter(
        actor_id=officer.pk, person_public_id="P-MOTHER01", action="disclose"
    ).exists()
