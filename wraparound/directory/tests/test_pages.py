"""The directory pages show the demo county's services, overlaps, gaps and reach."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from wraparound.core.models import Role
from wraparound.core.tests.factories import UserFactory
from wraparound.directory.feed import export_feed
from wraparound.directory.models import Service


def client_for(role: str) -> Client:
    client = Client()
    client.force_login(UserFactory(role=role))
    return client


def test_practitioner_finds_services_for_a_need_in_a_locality_for_a_childs_age(
    demo_directory: dict[str, Any],
) -> None:
    page = client_for(Role.PRACTITIONER).get(
        "/directory/", {"need": "domestic_abuse", "locality": "Ashvale", "age": 9}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "Operation Encompass" in html  # county-wide, ages 2 to 17
    assert "Harbridge Children&#x27;s Domestic Abuse Recovery Group" not in html  # other locality
    assert "Ashvale Victim Support" not in html  # adults only


def test_search_with_an_impossible_age_explains_the_error(db: Any) -> None:
    page = client_for(Role.PRACTITIONER).get("/directory/", {"age": "seven"})
    assert "Enter the age as a whole number of years" in page.content.decode()


def test_map_draws_every_ward_and_flags_wards_beyond_the_reach_limit(
    demo_directory: dict[str, Any],
) -> None:
    page = client_for(Role.TEAM_MANAGER).get(
        "/directory/map/", {"need": "substance_use", "max_km": 10}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('class="wa-ward"') == 20
    # Substance-use services are in Harbridge, Kingsford and Stowmere only: rural Ashvale is far.
    assert 'data-ward="Wyke Down" data-band="far"' in html
    assert 'data-ward="Harbridge Central" data-band="here"' in html
    assert "Beyond limit" in html
    assert "style=" not in html  # the CSP forbids inline styles


def test_overlaps_page_lists_places_with_several_services_for_the_same_need_and_age(
    demo_directory: dict[str, Any],
) -> None:
    html = (
        client_for(Role.DATA_ANALYST).get("/directory/overlaps/", {"at_least": 4}).content.decode()
    )
    assert "Improved mental and physical health" in html
    assert "overlaps-table" in html


def test_gaps_page_says_needs_data_is_not_yet_available_without_inventing_numbers(
    demo_directory: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from wraparound.directory import map_data

    monkeypatch.setattr(map_data, "need_counts", lambda **_: None)
    html = client_for(Role.TEAM_MANAGER).get("/directory/gaps/").content.decode()
    assert "Needs data not yet available" in html
    assert "gaps-table" not in html


def test_gaps_page_shows_gaps_from_the_needs_modules_counts(
    demo_directory: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from wraparound.directory import map_data

    counts = [("Ashvale", "substance_use", 12), ("Harbridge", "substance_use", 40)]
    monkeypatch.setattr(map_data, "need_counts", lambda **_: counts)
    html = client_for(Role.TEAM_MANAGER).get("/directory/gaps/").content.decode()
    assert "1 gap" in html
    assert "Ashvale" in html


def test_analyst_imports_a_feed_through_the_page(demo_directory: dict[str, Any]) -> None:
    feed = export_feed()
    feed["services"][0]["name"] = "Renamed through the page"
    upload = SimpleUploadedFile("feed.json", json.dumps(feed).encode(), "application/json")
    page = client_for(Role.DATA_ANALYST).post("/directory/feed/", {"feed": upload}, follow=True)
    assert page.status_code == 200
    assert "Imported" in page.content.decode()
    assert Service.objects.filter(name="Renamed through the page").exists()


def test_a_malformed_feed_uploaded_through_the_page_lists_problems_and_changes_nothing(
    demo_directory: dict[str, Any],
) -> None:
    feed = export_feed()
    feed["services"][0]["name"] = "Must not appear"
    feed["services"][1]["status"] = "sometimes"
    upload = SimpleUploadedFile("feed.json", json.dumps(feed).encode(), "application/json")
    page = client_for(Role.ADMINISTRATOR).post("/directory/feed/", {"feed": upload})
    html = page.content.decode()
    assert page.status_code == 400
    assert "nothing was changed" in html
    assert "field status" in html
    assert not Service.objects.filter(name="Must not appear").exists()


def test_feed_export_downloads_the_directory(demo_directory: dict[str, Any]) -> None:
    response = client_for(Role.DATA_ANALYST).get("/directory/feed/export/")
    assert response["Content-Disposition"].startswith("attachment")
    assert len(json.loads(response.content)["services"]) == Service.objects.count()


def test_gaps_read_need_counts_from_the_needs_module_when_it_provides_them(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wraparound.needs.selectors as needs_selectors
    from wraparound.directory import map_data

    reader = UserFactory(role=Role.TEAM_MANAGER)
    monkeypatch.delattr(needs_selectors, "need_counts_by_locality", raising=False)
    assert map_data.need_counts(user=reader) is None
    rows = [{"locality": "Ashvale", "outcome": "substance_use", "families": 5}]
    monkeypatch.setattr(
        needs_selectors, "need_counts_by_locality", lambda **_: iter(rows), raising=False
    )
    assert map_data.need_counts(user=reader) == rows
