"""The data analysts' pages: upload, confirm the suggested mapping, import, read reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from wraparound.core.models import Role
from wraparound.core.tests.factories import UserFactory
from wraparound.records.demo import ensure_partnership_agencies
from wraparound.records.models import DatasetMapping, Extract
from wraparound.records.tests.test_import import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def staging_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.RECORDS_STAGING_DIR = tmp_path / "uploads"


@pytest.fixture
def analyst_client() -> Client:
    agencies = ensure_partnership_agencies()
    client = Client()
    client.force_login(UserFactory(role=Role.DATA_ANALYST, agency=agencies["hcc-education"]))
    return client


def _upload(
    client: Client,
    name: str,
    content: bytes,
    agency: str = "hcc-education",
    dataset: str = "pupils",
) -> Any:
    return client.post(
        reverse("records:upload"),
        {"agency": agency, "dataset_kind": dataset, "file": SimpleUploadedFile(name, content)},
    )


def _confirm_as_suggested(client: Client, url: str) -> Any:
    page = client.get(url)
    assert page.status_code == 200
    data = {f"column-{c['index']}": c["chosen"] for c in page.context["columns"]}
    mapping = page.context["mapping"]
    data |= {"rows": mapping.rows}
    data |= {f"format-{c['index']}": c["format"] for c in page.context["columns"] if c["formats"]}
    data |= {f"sex-{i}": code for i, (_, code) in page.context["sex_rows"]}
    data |= {f"event-{i}": kind for i, (_, kind) in page.context["event_rows"]}
    return _post_checked(client, url, data)


def _post_checked(client: Client, url: str, data: dict[str, Any]) -> Any:
    """Send the mapping; when its "Check your answers" page follows, confirm it as shown."""
    check = client.post(url, data)
    if 'data-testid="check-answers"' not in check.content.decode():
        return check  # the mapping itself was refused
    return client.post(url, {**data, "confirm": "yes"})


def test_the_mapping_is_checked_in_words_before_anything_is_imported(
    analyst_client: Client,
) -> None:
    content = (
        b"Client ID,Forename,Surname,D.O.B,Seen at A&E\r\n"
        b"C1,Ann,Smith,31/01/2015,2025-03-04\r\nC2,Bo,Smith,02/02/2017,2025-06-07\r\n"
    )
    url = _upload(analyst_client, "flags.csv", content, dataset="flags").url
    page = analyst_client.get(url)
    data = {f"column-{c['index']}": c["chosen"] for c in page.context["columns"]}
    data |= {"column-4": "event:ae_injury", "rows": "people", "format-3": "%d/%m/%Y",
             "format-4": "%Y-%m-%d"}  # fmt: skip
    check = analyst_client.post(url, data).content.decode()
    assert "Check the mapping before you import" in check
    assert "Import 2 rows" in check
    assert "dates written day/month/year, like 31/01/2015" in check
    assert "A&amp;E attendance with injury" in check
    assert f'href="{url}?change=1#column-4"' in check
    assert "event:ae_injury" not in check.split('name="csrfmiddlewaretoken"')[0]
    assert not Extract.objects.exists(), "nothing is imported before the confirmation"
    changed = analyst_client.get(f"{url}?change=1")
    assert changed.context["columns"][4]["chosen"] == "event:ae_injury", "Change keeps the answers"
    assert analyst_client.post(url, {**data, "confirm": "yes"}).status_code == 302
    assert Extract.objects.get().event_count == 2


def test_analyst_uploads_confirms_the_suggested_mapping_and_sees_the_import(
    analyst_client: Client, county: Path
) -> None:
    response = _upload(
        analyst_client,
        "pupils.csv",
        (county / "extracts" / "hcc-education__pupils.csv").read_bytes(),
    )
    assert response.status_code == 302
    page = analyst_client.get(response.url)
    assert b"Check the column mapping" in page.content
    assert b"read as cp1252" in page.content
    done = _confirm_as_suggested(analyst_client, response.url)
    extract = Extract.objects.get()
    assert done.url == reverse("records:extract", kwargs={"pk": extract.pk})
    assert extract.imported_by is not None
    assert DatasetMapping.objects.filter(dataset_kind="pupils").exists()
    history = analyst_client.get(reverse("records:history"))
    assert b"pupils.csv" in history.content
    assert b"Current" in history.content


def test_a_new_dataset_gets_a_suggested_mapping_from_its_headers(analyst_client: Client) -> None:
    content = b"Client ID,Forename,Surname,D.O.B,Gender\r\nC1,Ann,Smith,01/02/2015,Female\r\n"
    response = _upload(
        analyst_client, "new.csv", content, agency="hcc-education", dataset="new-dataset"
    )
    page = analyst_client.get(response.url)
    chosen = {c["header"]: c["chosen"] for c in page.context["columns"]}
    assert chosen == {
        "Client ID": "source_id",
        "Forename": "first_name",
        "Surname": "surname",
        "D.O.B": "dob",
        "Gender": "sex",
    }
    assert page.context["mapping"].date_format == "%d/%m/%Y"
    assert _confirm_as_suggested(analyst_client, response.url).status_code == 302
    assert Extract.objects.get().record_count == 1


def test_a_rejected_upload_shows_the_validation_report_and_saves_nothing(
    analyst_client: Client, county: Path
) -> None:
    text = (
        (county / "extracts" / "hcc-education__pupils.csv")
        .read_bytes()
        .decode("cp1252")
        .splitlines(keepends=True)
    )
    fields = text[1].split(",")
    fields[6] = '=HYPERLINK("http://evil.example")'
    bad = "".join([text[0], ",".join(fields), *text[2:]]).encode("cp1252")
    response = _upload(analyst_client, "pupils.csv", bad)
    before = snapshot()
    report = _confirm_as_suggested(analyst_client, response.url)
    assert report.status_code == 400
    assert b"Validation report" in report.content
    assert b"formula injection" in report.content
    assert snapshot() == before


def test_an_empty_or_oversized_upload_is_refused_on_the_form(
    analyst_client: Client, settings: Any
) -> None:
    empty = _upload(analyst_client, "empty.csv", b"")
    assert empty.status_code == 400
    assert b"empty" in empty.content
    settings.RECORDS_IMPORT_MAX_BYTES = 10
    big = _upload(analyst_client, "big.csv", b"ID,Name\r\n1,Ann\r\n")
    assert big.status_code == 400
    assert b"import limit" in big.content
    assert Extract.objects.count() == 0


def test_an_unreadable_upload_is_refused_on_the_form(analyst_client: Client) -> None:
    response = _upload(analyst_client, "junk.csv", b"\x00\x01binary\x00" * 10)
    assert response.status_code == 400
    assert b"binary data" in response.content


def test_another_analysts_upload_cannot_be_opened(analyst_client: Client, county: Path) -> None:
    response = _upload(
        analyst_client,
        "pupils.csv",
        (county / "extracts" / "hcc-education__pupils.csv").read_bytes(),
    )
    other = Client()
    other.force_login(UserFactory(role=Role.DATA_ANALYST))
    assert other.get(response.url).status_code == 404


def test_uploads_nobody_confirmed_within_a_day_are_deleted(
    analyst_client: Client, county: Path
) -> None:
    import os
    import time

    from wraparound.records.staging import discard_abandoned, staging_root

    _upload(
        analyst_client,
        "pupils.csv",
        (county / "extracts" / "hcc-education__pupils.csv").read_bytes(),
    )
    (folder,) = list(staging_root().iterdir())
    assert discard_abandoned() == 0
    day_ago = time.time() - 25 * 3600
    os.utime(folder, (day_ago, day_ago))
    assert discard_abandoned() == 1
    assert not folder.exists()


@pytest.mark.django_db
def test_another_agencys_analyst_sees_warnings_without_the_cell_values() -> None:
    from django.utils import timezone

    from wraparound.core.tests.factories import AgencyFactory

    police = AgencyFactory(slug="warn-police", name="Warn Police", kind="police")
    other = AgencyFactory(slug="warn-health", name="Warn Health", kind="health")
    extract = Extract.objects.create(
        agency=police,
        dataset_kind="incidents",
        file_name="incidents.csv",
        sha256="a" * 64,
        file_format="csv",
        received_at=timezone.now(),
        warnings=[{"row": 7, "column": "DOB", "value": "31/02/2019", "reason": "not a date"}],
    )
    url = reverse("records:extract", kwargs={"pk": extract.pk})
    own, outsider = Client(), Client()
    own.force_login(UserFactory(agency=police, role=Role.DATA_ANALYST))
    outsider.force_login(UserFactory(agency=other, role=Role.DATA_ANALYST))

    assert "31/02/2019" in own.get(url).content.decode()
    seen = outsider.get(url).content.decode()
    assert "31/02/2019" not in seen
    assert "Withheld: personal data held by Warn Police" in seen
    assert "not a date" in seen


def test_each_date_column_offers_the_formats_its_values_fit_in_words_and_imports_by_them(
    analyst_client: Client,
) -> None:
    content = (
        b"Client ID,Forename,Surname,D.O.B,Seen at A&E\r\n"
        b"C1,Ann,Smith,31/01/2015,2025-03-04\r\nC2,Bo,Smith,02/02/2017,2025-06-07\r\n"
    )
    response = _upload(analyst_client, "flags.csv", content, dataset="flags")
    page = analyst_client.get(response.url)
    formats = {c["header"]: [f.label for f in c["formats"]] for c in page.context["columns"]}
    assert formats["D.O.B"] == ["day/month/year, like 31/01/2015"]
    assert formats["Seen at A&E"] == ["year-month-day, like 2025-03-04"]
    assert b"strftime" not in page.content
    data = {f"column-{c['index']}": c["chosen"] for c in page.context["columns"]}
    data["column-4"] = "event:ae_injury"
    data |= {"rows": "people", "format-3": "%d/%m/%Y", "format-4": "%Y-%m-%d"}
    assert _post_checked(analyst_client, response.url, data).status_code == 302
    extract = Extract.objects.get()
    assert (extract.record_count, extract.event_count) == (2, 2)
