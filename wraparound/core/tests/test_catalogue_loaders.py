"""Each catalogue has one loader: the event vocabulary (``records.vocabulary``) and the
headline outcomes (``core.headline_outcomes``). Every other module asks them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from wraparound.core.headline_outcomes import (
    OutcomeCatalogueError,
    outcome_keys,
    outcome_labels,
    read_outcomes,
)
from wraparound.records.vocabulary import (
    VocabularyError,
    event_vocabulary,
    kind_categories,
    kinds_by_outcome,
    read_vocabulary,
)

PACKAGE = Path(__file__).resolve().parents[2]
# Where each catalogue's file may be named in code: its one loader. The evaluation's own
# ``evaluation/catalogues/outcomes.yaml`` (outcome rules for evaluations) is another file.
LOADERS = {
    "event_vocabulary.yaml": {"records/vocabulary.py"},
    "outcomes.yaml": {"core/headline_outcomes.py", "evaluation/catalogues.py"},
}


def _named_files(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in LOADERS
    }


def test_only_the_loaders_name_the_catalogue_files() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if "/tests/" in f"/{relative}" or "/migrations/" in relative:
            continue
        offenders += [
            f"{relative} names {name}"
            for name in _named_files(path)
            if relative not in LOADERS[name]
        ]
    assert offenders == []


def test_the_vocabulary_names_only_headline_outcomes() -> None:
    assert set(kinds_by_outcome()) <= set(outcome_keys())
    assert "other" in event_vocabulary()
    assert "other" not in kind_categories()  # an unmapped event belongs to no category


def test_the_ten_outcomes_come_in_framework_order() -> None:
    assert len(outcome_labels()) == 10
    assert list(outcome_labels())[:2] == ["education", "early_years"]


def test_a_vocabulary_naming_an_unknown_outcome_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "event_vocabulary.yaml"
    path.write_text(
        "kinds:\n  - {key: a, label: A, category: health, outcomes: [happiness]}\n",
        encoding="utf-8",
    )
    with pytest.raises(VocabularyError, match="happiness"):
        read_vocabulary(path)


def test_a_kind_listed_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "event_vocabulary.yaml"
    path.write_text(
        "kinds:\n  - {key: a, label: A, outcomes: []}\n  - {key: a, label: B, outcomes: []}\n",
        encoding="utf-8",
    )
    with pytest.raises(VocabularyError, match="twice"):
        read_vocabulary(path)


def test_an_outcome_file_without_ten_outcomes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "outcomes.yaml"
    path.write_text("outcomes:\n  - {key: education, number: 1, label: Education}\n")
    with pytest.raises(OutcomeCatalogueError, match="10 distinct"):
        read_outcomes(path)


def test_an_unreadable_outcome_file_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "outcomes.yaml"
    path.write_text("outcomes: [unclosed\n")
    with pytest.raises(OutcomeCatalogueError, match=r"outcomes\.yaml"):
        read_outcomes(path)
