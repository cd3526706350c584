"""Uploads only for the analyst's own agency, or one that has delegated to it; imports audited.

Finding 8 of issue 11: an analyst of a voluntary organisation uploaded a 3-row file as the
police's incidents extract, and it superseded the real one (869 people, 1,775 events).
Finding 9: imports were not audited.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from wraparound.core.models import AgencyKind, Role
from wraparound.records.models import Extract
from wraparound.records.pipeline.mapping import Mapping
from wraparound.records.services import UploadRefusedError, import_extract
from wraparound.sharing import services
from wraparound.sharing.models import AuditEntry
from wraparound.sharing.tests.factories import agency, worker

pytestmark = pytest.mark.django_db
CSV = b"Client ID,Forename,Surname\r\nC1,Ann,Smith\r\nC2,Bob,Jones\r\nC3,Cy,Lee\r\n"


@pytest.fixture(autouse=True)
def staging_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.RECORDS_STAGING_DIR = tmp_path / "uploads"


@pytest.fixture
def county() -> dict:
    return {
        "police": agency(AgencyKind.POLICE, "police", "Constabulary"),
        "voluntary": agency(AgencyKind.VOLUNTARY, "charity", "Family Charity"),
    }


def _mapping(slug: str) -> Mapping:
    return Mapping(
        agency=slug,
        dataset="incidents",
        rows="people",
        columns={"Client ID": "source_id", "Forename": "first_name", "Surname": "surname"},
    )


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "incidents.csv"
    path.write_bytes(CSV)
    return path


def test_the_upload_form_offers_only_the_analysts_own_agency(county: dict) -> None:
    analyst = worker(county["voluntary"], Role.DATA_ANALYST)
    client = Client()
    client.force_login(analyst)
    response = client.post(
        reverse("records:upload"),
        {
            "agency": "police",
            "dataset_kind": "incidents",
            "file": SimpleUploadedFile("incidents.csv", CSV),
        },
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Extract.objects.exists()


def test_the_import_service_refuses_another_agencys_extract_and_audits_it(
    county: dict, tmp_path: Path
) -> None:
    analyst = worker(county["voluntary"], Role.DATA_ANALYST)
    with pytest.raises(UploadRefusedError, match="cannot upload Constabulary's extracts"):
        import_extract(
            path=_file(tmp_path),
            agency=county["police"],
            dataset_kind="incidents",
            mapping=_mapping("police"),
            user=analyst,
        )
    assert not Extract.objects.exists()
    refused = AuditEntry.objects.get(actor_id=analyst.pk)
    assert refused.outcome == "deny"
    assert "Refused upload of police:incidents" in refused.reason


def test_a_delegation_lets_another_agencys_analyst_upload_until_it_is_revoked(
    county: dict, tmp_path: Path
) -> None:
    analyst = worker(county["voluntary"], Role.DATA_ANALYST)
    police_ig = worker(county["police"], Role.IG_OFFICER)
    delegation = services.delegate_uploads(
        by=police_ig, to_agency=county["voluntary"], reason="The charity runs our data team."
    )
    result = import_extract(
        path=_file(tmp_path),
        agency=county["police"],
        dataset_kind="incidents",
        mapping=_mapping("police"),
        user=analyst,
    )
    assert result.status == "imported"
    imported = AuditEntry.objects.get(reason__startswith="Imported police:incidents")
    assert imported.actor_id == analyst.pk
    assert "3 person records" in imported.reason
    services.revoke_upload_delegation(by=police_ig, delegation=delegation)
    (tmp_path / "incidents.csv").write_bytes(CSV + b"C4,Di,Ray\r\n")
    with pytest.raises(UploadRefusedError):
        import_extract(
            path=_file(tmp_path).with_name("incidents.csv"),
            agency=county["police"],
            dataset_kind="incidents",
            mapping=_mapping("police"),
            user=analyst,
        )
    reasons = list(AuditEntry.objects.values_list("reason", flat=True))
    assert any("delegated uploading its extracts to Family Charity" in r for r in reasons)
    assert any(r.startswith("Revoked Family Charity's delegation") for r in reasons)


def test_only_the_delegating_agencys_ig_officer_delegates_or_revokes(county: dict) -> None:
    with pytest.raises(services.SharingError, match="information governance officers"):
        services.delegate_uploads(
            by=worker(county["police"], Role.DATA_ANALYST),
            to_agency=county["voluntary"],
            reason="no",
        )
    delegation = services.delegate_uploads(
        by=worker(county["police"], Role.IG_OFFICER), to_agency=county["voluntary"], reason="ok"
    )
    with pytest.raises(services.SharingError, match="delegating agency"):
        services.revoke_upload_delegation(
            by=worker(county["voluntary"], Role.IG_OFFICER), delegation=delegation
        )


def test_who_sees_extract_cell_values_is_the_sharing_rule_and_showing_them_is_audited(
    county: dict,
) -> None:
    from django.utils import timezone

    import wraparound.records.views as records_views

    assert not hasattr(records_views, "warnings_for"), "the rule lives in wraparound.sharing"
    extract = Extract.objects.create(
        agency=county["police"],
        dataset_kind="incidents",
        file_name="incidents.csv",
        sha256="b" * 64,
        file_format="csv",
        received_at=timezone.now(),
        warnings=[{"row": 2, "column": "DOB", "value": "31/02/2019", "reason": "not a date"}],
    )
    own = worker(county["police"], Role.DATA_ANALYST)
    client = Client()
    client.force_login(own)
    assert (
        "31/02/2019"
        in client.get(reverse("records:extract", kwargs={"pk": extract.pk})).content.decode()
    )
    shown = AuditEntry.objects.get(actor_id=own.pk)
    assert shown.categories == [{"provider": "police", "category": "identity", "outcome": "permit"}]
