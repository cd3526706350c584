"""No page shown to a signed-in user may be kept by a browser or proxy cache."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from wraparound.core.models import Role
from wraparound.core.tests.access_table import EXPECTED, PUBLIC
from wraparound.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.DATA_ANALYST, Role.ADMINISTRATOR])
def test_every_page_a_signed_in_user_opens_says_no_store(role: str) -> None:
    from wraparound.core.tests import seed

    seeded: dict[str, Any] = seed.seed_for_access_tests()
    user = UserFactory(username=f"no-store-{role}", role=role)
    missing = []
    for row in EXPECTED:
        if row.method != "get" or not (row.allowed == PUBLIC or role in row.allowed):
            continue
        client = Client()
        client.force_login(user)
        url = reverse(row.url_name, kwargs=row.kwargs(seeded) if row.kwargs else {})
        response = client.get(url)
        if "no-store" not in response.get("Cache-Control", ""):
            missing.append(row.url_name)
    assert not missing, f"Signed-in pages without Cache-Control: no-store: {missing}"


def test_public_pages_for_anonymous_visitors_may_be_cached() -> None:
    response = Client().get(reverse("core:start"))
    assert "no-store" not in response.get("Cache-Control", "")
