"""The at-risk list is an audited list question, and its figures come from visible flags only.

Findings 5 and 7 of issue 11: the list called ``policy.visible_families`` directly (no audit
of the listing), and showed outcome counts and levels computed from every flag, including
ones whose evidence the practitioner may not see.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from wraparound.core.models import Role
from wraparound.needs.models import FamilyNeedsProfile
from wraparound.needs.tests.test_views import partnership  # noqa: F401 - the fixture
from wraparound.sharing.models import AuditEntry
from wraparound.sharing.tests import factories as sharing

pytestmark = pytest.mark.django_db


def _page(user: Any) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(reverse("needs:at-risk"))


def test_the_listing_itself_is_audited(partnership: dict[str, Any]) -> None:  # noqa: F811
    practitioner = sharing.worker(partnership["police"], Role.PRACTITIONER)
    sharing.relationship(practitioner, "F-AAA00001")
    _page(practitioner)
    listed = AuditEntry.objects.get(actor_id=practitioner.pk, action="search")
    assert listed.purpose == "early_help_coordination"
    assert "Listed 1 family" in listed.reason


def test_counts_and_levels_come_only_from_the_needs_the_practitioner_may_see(
    partnership: dict[str, Any],  # noqa: F811
) -> None:
    practitioner = sharing.worker(partnership["police"], Role.PRACTITIONER)
    sharing.relationship(practitioner, "F-AAA00001")
    stored = FamilyNeedsProfile.objects.get(family_public_id="F-AAA00001")
    family = _page(practitioner).context["families"][0]
    visible_outcomes = {f.outcome for f in family.flags}
    assert family.outcome_count == len(visible_outcomes)
    assert family.outcome_count < stored.outcome_count, "the housing need is withheld"
    assert family.max_level == max(f.level for f in family.flags)
