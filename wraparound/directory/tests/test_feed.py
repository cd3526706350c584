"""Feeds in and out: a directory survives a round trip; a bad feed changes nothing."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from wraparound.directory.feed import FeedError, export_feed, import_feed
from wraparound.directory.models import Attribute, Location, Service, TaxonomyTerm
from wraparound.directory.tests.oruk_schemas import problems


def snapshot() -> list[tuple[Any, ...]]:
    return sorted(
        Service.objects.values_list(
            "id", "name", "status", "minimum_age", "maximum_age", "organization_id"
        )
    ) + sorted(Attribute.objects.values_list("id", "taxonomy_term_id", "service_id"))


def test_exported_feed_validates_against_the_oruk_schemas(demo_directory: dict[str, Any]) -> None:
    feed = export_feed()
    for service in feed["services"][:20]:
        assert problems(service, "service.json") == []
    for taxonomy in feed["taxonomies"]:
        assert problems(taxonomy, "taxonomy.json") == []
    for organization in feed["organizations"]:
        assert problems(organization, "organization.json") == []


def test_export_then_import_into_an_empty_directory_gives_the_same_directory(
    demo_directory: dict[str, Any],
) -> None:
    feed = json.loads(json.dumps(export_feed()))
    before = snapshot()
    Service.objects.all().delete()
    Location.objects.all().delete()
    TaxonomyTerm.objects.all().delete()
    import_feed(feed)
    assert snapshot() == before


def test_importing_the_same_feed_twice_changes_nothing(demo_directory: dict[str, Any]) -> None:
    feed = json.loads(json.dumps(export_feed()))
    before = snapshot()
    import_feed(feed)
    assert snapshot() == before


def test_a_list_page_from_another_partnerships_api_can_be_imported(
    demo_directory: dict[str, Any],
) -> None:
    feed = export_feed()
    page = {"total_items": 1, "contents": [copy.deepcopy(feed["services"][0])]}
    page["contents"][0]["name"] = "Renamed by the other partnership"
    import_feed(page)
    assert Service.objects.filter(name="Renamed by the other partnership").count() == 1


def broken_feed(feed: dict[str, Any]) -> dict[str, Any]:
    broken = copy.deepcopy(feed)
    broken["services"][0]["name"] = "A brand new service that must not appear"
    broken["services"][3]["minimum_age"] = "teenagers"
    broken["services"][5]["status"] = "open"
    broken["services"][7]["attributes"][0]["taxonomy_term_id"] = (
        "3f7b145d-84af-42d7-8fae-eaca714b02b2"
    )
    del broken["services"][9]["service_at_locations"][0]["location"]["addresses"][0]["postal_code"]
    return broken


def test_a_malformed_feed_is_refused_with_every_problem_named_and_nothing_changes(
    demo_directory: dict[str, Any],
) -> None:
    feed = export_feed()
    before = snapshot()
    with pytest.raises(FeedError) as refused:
        import_feed(broken_feed(feed))
    text = "\n".join(refused.value.problems)
    name = feed["services"]
    assert f"services[3] {name[3]['name']!r}" in text
    assert "field minimum_age" in text
    assert "services[5]" in text
    assert "field status" in text
    assert "'open'" in text
    assert "field taxonomy_term" in text
    assert "3f7b145d-84af-42d7-8fae-eaca714b02b2" in text
    assert "services[9]" in text
    assert "addresses[0]" in text
    assert "field postal_code" in text
    assert len(refused.value.problems) == 4
    assert snapshot() == before
    assert not Service.objects.filter(name__startswith="A brand new").exists()


def test_minimum_age_above_maximum_is_refused(demo_directory: dict[str, Any]) -> None:
    feed = export_feed()
    feed["services"][2].update(minimum_age=18, maximum_age=5)
    with pytest.raises(FeedError, match=r"services\[2\].*minimum"):
        import_feed(feed)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"services": {"id": 1}}', "field services: must be a list"),
        ('[{"name": "No id"}]', "field id: is required"),
        ('"just a string"', "must be a JSON object"),
    ],
)
def test_import_command_explains_a_bad_file_and_exits_with_an_error(
    db: Any, tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "feed.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("directory-import", str(path))
    assert not Service.objects.exists()


def test_export_and_import_commands_round_trip(
    demo_directory: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "directory.json"
    call_command("directory-export", "--out", str(out))
    before = snapshot()
    Service.objects.all().delete()
    call_command("directory-import", str(out))
    assert snapshot() == before
