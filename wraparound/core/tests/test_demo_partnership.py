"""The demo partnership gives every role in every agency a sign-in, and can be loaded twice."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from wraparound.core.demo import DEMO_PASSWORD, create_demo_users, load_agencies
from wraparound.core.models import Agency, AgencyKind, Role, User

pytestmark = pytest.mark.django_db


def test_demo_catalogue_has_an_agency_of_every_kind() -> None:
    agencies = load_agencies()
    assert {a.kind for a in agencies} == set(AgencyKind.values)
    assert any(not a.is_statutory for a in agencies)


def test_every_role_in_every_agency_gets_a_working_sign_in() -> None:
    agencies = load_agencies()
    sign_ins = create_demo_users(agencies)
    assert len(sign_ins) == len(agencies) * len(Role.values)
    for agency in agencies:
        for role in Role.values:
            user = User.objects.get(agency=agency, role=role)
            assert user.check_password(DEMO_PASSWORD)


def test_loading_the_demo_twice_changes_nothing(tmp_path: Path) -> None:
    catalogue = tmp_path / "agencies.yaml"
    catalogue.write_text(
        yaml.safe_dump(
            {"agencies": [{"slug": "hp", "name": "Police", "kind": "police", "is_statutory": True}]}
        )
    )
    create_demo_users(load_agencies(catalogue))
    create_demo_users(load_agencies(catalogue))
    assert Agency.objects.count() == 1
    assert User.objects.count() == len(Role.values)
