"""A data analyst imports an extract in a real browser: upload, confirm, report, history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wraparound.core.models import Role
from wraparound.core.tests.browser import assert_accessible, browser_page, sign_in  # noqa: F401
from wraparound.core.tests.factories import TEST_PASSWORD, UserFactory
from wraparound.records.demo import ensure_partnership_agencies
from wraparound.records.models import Extract

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def staging_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.RECORDS_STAGING_DIR = tmp_path / "uploads"


def test_analyst_uploads_checks_the_mapping_and_imports(
    browser_page: Any,  # noqa: F811
    county: Path,
    tmp_path: Path,
) -> None:
    page = browser_page
    agencies = ensure_partnership_agencies()
    UserFactory(username="dana", agency=agencies["hcc-education"], role=Role.DATA_ANALYST)
    sign_in(page, "dana", TEST_PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Agency extracts").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Agency extracts"
    assert_accessible(page)

    page.get_by_role("button", name="Import an extract").click()
    assert_accessible(page)
    page.get_by_label("Agency").select_option("hcc-education")
    page.get_by_label("Dataset").fill("pupils")
    page.get_by_label("Extract file").set_input_files(
        str(county / "extracts" / "hcc-education__pupils.csv")
    )
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check the column mapping"
    assert page.get_by_label("Legal Surname").input_value() == "surname"
    assert_accessible(page)

    page.get_by_role("button", name="Continue").click()
    assert (
        page.get_by_role("heading", level=1).inner_text() == "Check the mapping before you import"
    )
    assert_accessible(page)
    assert Extract.objects.count() == 0, "nothing is imported before the confirmation"
    page.get_by_role("button", name="Import").click()
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "Hartshire County Council Education, Access and Inclusion: pupils"
    assert Extract.objects.get().imported_by.username == "dana"
    assert_accessible(page)
    page.get_by_role("link", name="Import history").click()
    assert page.locator("td", has_text="pupils.csv").count() == 1


def test_analyst_sees_a_validation_report_for_a_bad_file(
    browser_page: Any,  # noqa: F811
    county: Path,
    tmp_path: Path,
) -> None:
    page = browser_page
    agencies = ensure_partnership_agencies()
    UserFactory(username="dev", agency=agencies["hcc-education"], role=Role.DATA_ANALYST)
    lines = (
        (county / "extracts" / "hcc-education__pupils.csv")
        .read_bytes()
        .decode("cp1252")
        .splitlines(keepends=True)
    )
    fields = lines[1].split(",")
    fields[4] = "31/02/2015"
    bad = tmp_path / "pupils.csv"
    bad.write_bytes("".join([lines[0], ",".join(fields), *lines[2:]]).encode("cp1252"))
    sign_in(page, "dev", TEST_PASSWORD)
    page.goto("/records/upload/")
    page.get_by_label("Agency").select_option("hcc-education")
    page.get_by_label("Dataset").fill("pupils")
    page.get_by_label("Extract file").set_input_files(str(bad))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Import").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Validation report"
    assert page.locator("td", has_text="31/02/2015").count() == 1
    assert_accessible(page)
    assert Extract.objects.count() == 0
