"""Uploads through the web behave as the command line does, and the unusual ones fail cleanly.

XLSX extracts import through the page (staging keeps them under a neutral name), a file of a
header row alone is a valid extract of no rows, and files that would tie up a worker (a
million columns, a body over the request limit) are refused before they are parsed, with
nothing left on disk.
"""

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
from wraparound.records.models import Extract
from wraparound.records.pipeline.reading import ExtractUnreadableError, read_extract
from wraparound.records.services import import_extract
from wraparound.records.tests.test_views import _confirm_as_suggested

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def staging_in_tmp(settings: Any, tmp_path: Path) -> Path:
    settings.RECORDS_STAGING_DIR = tmp_path / "uploads"
    return tmp_path / "uploads"


@pytest.fixture
def analyst() -> Client:
    agencies = ensure_partnership_agencies()
    client = Client()
    client.force_login(UserFactory(role=Role.DATA_ANALYST, agency=agencies["hcc-education"]))
    return client


def _upload(client: Client, name: str, content: bytes, agency: str, dataset: str) -> Any:
    return client.post(
        reverse("records:upload"),
        {"agency": agency, "dataset_kind": dataset, "file": SimpleUploadedFile(name, content)},
    )


def test_a_demo_xlsx_extract_uploads_and_imports_through_the_web(county: Path) -> None:
    agencies = ensure_partnership_agencies()
    analyst = Client()
    analyst.force_login(
        UserFactory(role=Role.DATA_ANALYST, agency=agencies["home-start-hartshire"])
    )
    content = (county / "extracts" / "home-start-hartshire__families.xlsx").read_bytes()
    response = _upload(analyst, "families.xlsx", content, "home-start-hartshire", "families")
    assert response.status_code == 302, response.content.decode()[:2000]
    done = _confirm_as_suggested(analyst, response.url)
    assert done.status_code == 302, done.content.decode()[:2000]
    extract = Extract.objects.get()
    assert extract.record_count > 0


def test_a_damaged_xlsx_is_a_form_error_not_a_server_error(
    analyst: Client, county: Path, staging_in_tmp: Path
) -> None:
    content = (county / "extracts" / "home-start-hartshire__families.xlsx").read_bytes()
    response = _upload(analyst, "families.xlsx", content[: len(content) // 2], "hcc-education", "x")
    assert response.status_code == 400
    assert b"spreadsheet" in response.content
    assert not any(staging_in_tmp.iterdir()), "a refused upload leaves nothing staged"


def test_a_million_column_csv_is_refused_from_its_header_line(
    analyst: Client, staging_in_tmp: Path
) -> None:
    header = ",".join(f"c{i}" for i in range(1_000_000)).encode()
    response = _upload(
        analyst, "wide.csv", header + b"\n" + b"1," * 10 + b"\n", "hcc-education", "w"
    )
    assert response.status_code == 400
    assert b"columns" in response.content
    assert not any(staging_in_tmp.iterdir())


def test_a_header_line_without_a_line_break_is_refused_without_reading_the_whole_file(
    tmp_path: Path,
) -> None:
    endless = tmp_path / "endless.csv"
    endless.write_bytes(b"x" * (2 * 1024 * 1024))
    with pytest.raises(ExtractUnreadableError, match="no line break"):
        read_extract(endless, max_bytes=10 * 1024 * 1024, max_columns=50)


def test_a_request_body_over_the_limit_is_refused_before_it_is_read(
    analyst: Client, settings: Any, staging_in_tmp: Path
) -> None:
    settings.REQUEST_MAX_BYTES = 1024
    response = analyst.post(
        reverse("records:upload"),
        {"agency": "hcc-education", "dataset_kind": "pupils",
         "file": SimpleUploadedFile("big.csv", b"ID\n" + b"A\n" * 4000)},
    )  # fmt: skip
    assert response.status_code == 413
    assert b"too large" in response.content
    assert not staging_in_tmp.exists() or not any(staging_in_tmp.iterdir())


def test_a_header_only_extract_is_valid_and_imports_no_rows(tmp_path: Path) -> None:
    agencies = ensure_partnership_agencies()
    path = tmp_path / "behaviour.csv"
    path.write_text("Pupil ID,Surname,Forename,DOB\n", encoding="utf-8")
    table = read_extract(path, max_bytes=1024 * 1024)
    assert table.rows == []
    assert "no data rows" in table.notes[0]
    from wraparound.records.pipeline.mapping import Mapping

    mapping = Mapping(
        agency="hcc-education",
        dataset="empty",
        rows="people",
        columns={"Pupil ID": "source_id", "Surname": "surname", "Forename": "first_name",
                 "DOB": "dob"},
        date_format="%d/%m/%Y",
    )  # fmt: skip
    result = import_extract(
        path=path, agency=agencies["hcc-education"], dataset_kind="empty", mapping=mapping
    )
    assert result.extract.record_count == 0


def test_a_large_confirmed_upload_is_imported_by_the_worker_with_progress(
    settings: Any, tmp_path: Path, county: Path
) -> None:
    from wraparound.core import jobs
    from wraparound.core.models import Job, JobStatus
    from wraparound.records.tests.test_views import _upload as upload_pupils

    settings.RECORDS_STAGING_DIR = tmp_path / "uploads"
    settings.IMPORT_IN_BACKGROUND_FROM_BYTES = 0  # every upload counts as large here
    agencies = ensure_partnership_agencies()
    client = Client()
    client.force_login(UserFactory(role=Role.DATA_ANALYST, agency=agencies["hcc-education"]))
    content = (county / "extracts" / "hcc-education__pupils.csv").read_bytes()
    uploaded = upload_pupils(client, "pupils.csv", content)
    queued = _confirm_as_suggested(client, uploaded.url)
    job = Job.objects.get()
    assert queued.url == jobs.page_url(job)
    assert not Extract.objects.exists(), "the request only queued the import"
    jobs.run_queued()
    view = jobs.status(job.public_id)
    assert view.status == JobStatus.DONE, view.error
    extract = Extract.objects.get()
    assert view.result["url"] == reverse("records:extract", kwargs={"pk": extract.pk})
    assert view.done == view.total
    assert view.total >= extract.record_count > 0
    assert not any((tmp_path / "uploads").iterdir()), "the staged file is gone"
