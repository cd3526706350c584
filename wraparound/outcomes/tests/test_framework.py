"""The outcome framework loads from data, and a malformed file is refused with the reason."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from wraparound.outcomes.framework import (
    CATALOGUE_DIR,
    FrameworkError,
    framework_for,
    frameworks,
    read_framework,
)

SHIPPED = CATALOGUE_DIR / "framework-2022-25.yaml"


def _shipped() -> dict[str, Any]:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: Any, name: str = "framework-test.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_the_2022_25_framework_covers_all_ten_headline_outcomes() -> None:
    framework = framework_for(dt.date(2026, 1, 1))
    assert framework.version == "2022-25"
    assert len(framework.outcomes) == 10
    assert all(d.sustained.window_days >= 183 for d in framework.descriptors)


def test_every_needs_indicator_belongs_to_one_descriptor() -> None:
    from wraparound.needs.indicators import load_catalogue

    framework = framework_for(dt.date(2026, 1, 1))
    for indicator in load_catalogue().indicators:
        descriptor = framework.descriptor_for_indicator(indicator.key)
        assert descriptor is not None
        assert descriptor.outcome == indicator.outcome


def test_a_new_framework_version_is_loaded_from_a_file_without_code_changes(tmp_path: Path) -> None:
    _write(tmp_path, _shipped(), "framework-2022-25.yaml")
    newer = _shipped()
    newer.update(version="2025-28", effective_from=dt.date(2025, 4, 1))
    newer["outcomes"][0]["descriptors"][0]["sustained"]["window_days"] = 365
    _write(tmp_path, newer, "framework-2025-28.yaml")
    assert [f.version for f in frameworks(tmp_path)] == ["2022-25", "2025-28"]
    assert framework_for(dt.date(2024, 6, 1), tmp_path).version == "2022-25"
    current = framework_for(dt.date(2026, 1, 1), tmp_path)
    assert current.version == "2025-28"
    assert current.descriptor("school_attendance").sustained.window_days == 365


FIXTURE = Path(__file__).parent / "fixtures" / "framework-2025-28.yaml"


def test_a_second_framework_file_loads_beside_the_first_without_code_changes(
    tmp_path: Path,
) -> None:
    for path in (SHIPPED, FIXTURE):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    assert [f.version for f in frameworks(tmp_path)] == ["2022-25", "2025-28"]
    older = framework_for(dt.date(2025, 3, 31), tmp_path)
    newer = framework_for(dt.date(2025, 4, 1), tmp_path)
    assert (older.version, newer.version) == ("2022-25", "2025-28")
    assert newer.descriptor("school_attendance").sustained.window_days == 365
    assert older.descriptor("school_attendance").sustained.window_days == 273
    assert newer.descriptor("debt_and_arrears").proposal.significance == 0.01
    assert newer.checksum != older.checksum


def _broken(change: str) -> dict[str, Any]:
    data = copy.deepcopy(_shipped())
    first = data["outcomes"][0]["descriptors"][0]
    if change == "unknown_outcome":
        data["outcomes"][0]["outcome"] = "happiness"
    elif change == "missing_outcome":
        data["outcomes"] = data["outcomes"][1:]
    elif change == "unknown_indicator":
        first["indicators"] = ["no_such_indicator"]
    elif change == "indicator_of_other_outcome":
        first["indicators"] = ["domestic_abuse_incident"]
    elif change == "unknown_kind":
        first["concern_kinds"] = ["teleportation"]
    elif change == "negative_window":
        first["sustained"]["window_days"] = -1
    elif change == "bad_anchor":
        first["sustained"]["anchor"] = "whenever"
    elif change == "duplicate_descriptor":
        data["outcomes"][0]["descriptors"].append(
            copy.deepcopy(first) | {"indicators": ["elective_home_education"]}
        )
    elif change == "no_version":
        del data["version"]
    elif change == "no_date":
        data["effective_from"] = "soon"
    elif change == "no_wording":
        del first["wording"]
    elif change == "wording_of_unknown_source":
        first["wording"] = [{"text": "attendance <90%", "source": "a-blog"}]
    elif change == "source_without_address":
        del data["sources"]["cb"]["url"]
    elif change == "local_addition_without_reason":
        del data["sources"]["partnership"]["note"]
    elif change == "framework_source_not_national":
        data["source"] = "cb"
    elif change == "margin_out_of_range":
        first["proposal"]["margin"] = 1.5
    elif change == "significance_out_of_range":
        first["proposal"]["significance"] = 0.5
    elif change == "retired_quiet_days":
        first["proposal"]["quiet_days"] = 120
    elif change == "unknown_sustained_setting":
        first["sustained"]["grace_days"] = 30
    elif change == "no_progress_wording":
        del first["progress_wording"]
    elif change == "progress_wording_of_unknown_source":
        first["progress_wording"] = [{"text": "doing better", "source": "a-blog"}]
    elif change == "no_sustained_wording":
        del data["sustained_wording"]
    return data


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("unknown_outcome", "'happiness' is not one of the headline outcomes"),
        ("missing_outcome", "headline outcomes missing: education"),
        ("unknown_indicator", "unknown needs indicator no_such_indicator"),
        ("indicator_of_other_outcome", "evidences domestic_abuse, not education"),
        ("unknown_kind", "unknown event kind teleportation"),
        ("negative_window", "sustained.window_days must be a whole number of at least 1"),
        ("bad_anchor", "sustained anchor must be one of end_of_support"),
        ("duplicate_descriptor", "descriptor 'school_attendance' is listed twice"),
        ("no_version", "version must be a non-empty text"),
        ("no_date", "effective_from must be a date"),
        ("no_wording", "wording must list the framework's wording, each with its source"),
        ("wording_of_unknown_source", "'attendance <90%': cites unknown source 'a-blog'"),
        ("source_without_address", "source 'cb': a council source needs its https:// address"),
        ("local_addition_without_reason", "a local addition needs a note saying why"),
        ("framework_source_not_national", "source must be the national framework document"),
        ("margin_out_of_range", "proposal.margin must be a number between 0 and 1"),
        ("significance_out_of_range", "proposal.significance must be a number between 0 and 0.5"),
        ("retired_quiet_days", r"unknown setting quiet_days \(the fixed quiet period is retired"),
        ("unknown_sustained_setting", "sustained has unknown setting grace_days"),
        ("no_progress_wording", "progress_wording must list the framework's wording"),
        ("progress_wording_of_unknown_source", "'doing better': cites unknown source 'a-blog'"),
        ("no_sustained_wording", "sustained_wording: each entry is"),
    ],
)
def test_a_malformed_framework_is_rejected_with_the_reason(
    tmp_path: Path, change: str, reason: str
) -> None:
    with pytest.raises(FrameworkError, match=reason):
        read_framework(_write(tmp_path, _broken(change)))


def test_a_file_that_is_not_yaml_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "framework-x.yaml"
    path.write_text("version: [unclosed", encoding="utf-8")
    with pytest.raises(FrameworkError, match="not valid YAML"):
        read_framework(path)


def test_no_framework_before_the_first_is_in_effect() -> None:
    with pytest.raises(FrameworkError, match="No outcome framework was in effect"):
        framework_for(dt.date(2020, 1, 1))


NOTES = CATALOGUE_DIR.parents[3] / "shared" / "domain" / "governance-and-outcomes.md"
# How the notes' table names each council source after the examples it gives.
NOTES_ABBREVIATION = {"cb": "(CB)", "bn": "(BN)", "rbkc": "(RBKC)", "derby": "(Derby)"}


def test_sustained_progress_is_worded_as_the_sources_word_it() -> None:
    """Each descriptor's "significant and sustained progress" and the framework's rule are
    quoted word for word from the notes' B1 section, each with a source the notes cite."""
    if not NOTES.exists():
        pytest.skip(f"the research notes are not beside the repository ({NOTES})")
    notes = NOTES.read_text(encoding="utf-8")
    section = notes[notes.index("## B1.") : notes.index("## B2.")]
    framework = framework_for(dt.date(2026, 1, 1))
    assert framework.sustained_wording is not None
    quoted = [framework.sustained_wording]
    for descriptor in framework.descriptors:
        assert descriptor.progress_wording, descriptor.key
        quoted += list(descriptor.progress_wording)
    for wording in quoted:
        source = framework.cite(wording)
        assert source.kind != "local", wording
        assert wording.text in section, wording.text
        assert source.url in section, source.key


def test_every_descriptor_cites_where_its_wording_comes_from() -> None:
    framework = framework_for(dt.date(2026, 1, 1))
    assert framework.sources[framework.source].kind == "national"
    for descriptor in framework.descriptors:
        assert descriptor.wording, descriptor.key
        for wording in descriptor.wording:
            source = framework.cite(wording)
            assert source.url.startswith("https://") or source.kind == "local"


def test_the_wording_is_transcribed_word_for_word_from_the_research_notes() -> None:
    """Each quoted need, headline and alternative appears as written in the notes' B1 table,
    in the row of its headline outcome and beside the source the notes give for it."""
    if not NOTES.exists():
        pytest.skip(f"the research notes are not beside the repository ({NOTES})")
    notes = NOTES.read_text(encoding="utf-8")
    section = notes[notes.index("## B1.") : notes.index("## B2.")]
    rows = {
        line.split("|")[2].strip(): line
        for line in section.splitlines()
        if line.startswith("| ") and line.split("|")[1].strip().isdigit()
    }
    framework = framework_for(dt.date(2026, 1, 1))
    local = {k for k, s in framework.sources.items() if s.kind == "local"}
    for source in framework.sources.values():
        assert source.kind == "local" or source.url in notes, source.key
    for outcome in framework.outcomes:
        headline = framework.headlines[outcome]
        row = next((line for title, line in rows.items() if title.startswith(headline)), None)
        assert row is not None, f"{outcome}: headline {headline!r} is not in the notes' table"
        quoted = [w for d in framework.descriptors if d.outcome == outcome for w in d.wording]
        quoted += list(framework.other_needs[outcome])
        quoted += [framework.also_called[outcome]] if outcome in framework.also_called else []
        for wording in quoted:
            if wording.source in local:
                continue
            assert wording.text in row, f"{outcome}: {wording.text!r} is not in its row"
            mark = NOTES_ABBREVIATION.get(wording.source)
            assert mark is None or mark in row[row.index(wording.text) :], (outcome, wording)
