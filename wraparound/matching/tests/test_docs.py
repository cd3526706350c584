"""docs/matching.md cannot drift from the commands and the MAP.toml format."""

from __future__ import annotations

from pathlib import Path

import pytest

from wraparound.matching.pipeline.files import FILE_KEYS, MAPPING_KEY_HELP, SETTING_KEYS

pytestmark = pytest.mark.pipeline

DOC = Path(__file__).resolve().parents[3] / "docs" / "matching.md"


def test_every_mapping_key_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [
        key
        for key in sorted(FILE_KEYS | SETTING_KEYS)
        if f"\n{key} =" not in text and f"[files.{key}]" not in text
    ]
    assert not missing, f"MAP.toml keys missing from docs/matching.md: {missing}"


def test_match_files_help_describes_every_mapping_key() -> None:
    assert set(MAPPING_KEY_HELP) == FILE_KEYS | SETTING_KEYS


def test_every_command_and_option_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for phrase in (
        "wraparound link",
        "--backend duckdb|spark",
        "--incremental",
        "--match-threshold",
        "--review-threshold",
        "wraparound match-files --mapping MAP.toml --out DIR FILE",
        "--mode link_and_dedupe|link_only|dedupe_only",
        "--pairs-floor",
        "wraparound bench match-files",
        "wraparound bench linkage --households N",
        "--incremental AGENCY:DATASET",
        "pairs.csv`: `source_l,id_l,source_r,id_r,match_probability,decision,same_person,"
        "reason_code,reason",
        "clusters.csv`: `source,id,cluster_id",
    ):
        assert phrase in text, phrase


def test_the_docs_describe_every_mapping_key_as_help_does() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [
        key for key, words in MAPPING_KEY_HELP.items() if f"| `{key}` | {words} |" not in text
    ]
    assert not missing, f"docs/matching.md's key table differs from --help for: {missing}"
