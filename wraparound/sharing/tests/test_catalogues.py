"""The sharing catalogues load once, cover the law the agreements cite, and reject bad files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from wraparound.core.models import AgencyKind
from wraparound.sharing import catalogues as module
from wraparound.sharing.catalogues import CatalogueError, load_catalogues, primary_category_for_kind

pytestmark = pytest.mark.pipeline


def test_lawful_bases_cover_the_bases_used_in_childrens_services() -> None:
    codes = set(load_catalogues().lawful_bases)
    assert {
        "ART6_1_E", "ART6_1_C", "ART6_1_D", "ART6_1_A", "ART9_2_G", "ART9_2_H", "ART9_2_B", "ART10",
        "DPA_S1_P6", "DPA_S1_P18", "DPA_S3_P5", "CA1989_S17", "CA1989_S47", "CA2004_S10",
        "CA2004_S11", "CA2004_S16H", "CDA1998_S115", "CSWA2017", "HRA1998", "CLDC",
    } <= codes  # fmt: skip


def test_every_agency_kind_provides_a_service_category_of_its_own() -> None:
    assert primary_category_for_kind(AgencyKind.POLICE) == "police"
    assert primary_category_for_kind(AgencyKind.EDUCATION) == "education"
    assert {primary_category_for_kind(k) for k in AgencyKind.values} <= set(
        load_catalogues().categories
    )


def test_a_duplicated_code_is_refused_with_the_file_and_code_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for f in module.CATALOGUE_DIR.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    purposes = tmp_path / "purposes.yaml"
    text = purposes.read_text()
    purposes.write_text(text.replace("code: case_management", "code: safeguarding"))
    monkeypatch.setattr(module, "CATALOGUE_DIR", tmp_path)
    with pytest.raises(CatalogueError, match=r"purposes.yaml: code 'safeguarding' appears twice"):
        load_catalogues()


def test_an_unknown_category_in_provided_by_kind_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for f in module.CATALOGUE_DIR.glob("*.yaml"):
        shutil.copy(f, tmp_path / f.name)
    cats = tmp_path / "data_categories.yaml"
    cats.write_text(
        cats.read_text().replace(
            "police: [identity, contact, police]", "police: [identity, contact, crime]"
        )
    )
    monkeypatch.setattr(module, "CATALOGUE_DIR", tmp_path)
    with pytest.raises(CatalogueError, match="police provides unknown"):
        load_catalogues()
