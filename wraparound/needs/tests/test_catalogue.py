"""The indicator catalogue refuses mistakes with a message naming the indicator."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from wraparound.needs.indicators import (
    INDICATORS_FILE,
    IndicatorCatalogueError,
    load_catalogue,
    load_outcome_labels,
    load_vocabulary,
    parse_catalogue,
)

pytestmark = pytest.mark.pipeline

RAW: dict[str, Any] = yaml.safe_load(INDICATORS_FILE.read_text(encoding="utf-8"))


def _parse(data: dict[str, Any]) -> Any:
    return parse_catalogue(data, vocabulary=load_vocabulary(), outcome_labels=load_outcome_labels())


def _with_first(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(RAW)
    data["indicators"][0].update(changes)
    return data


def test_the_partnership_catalogue_loads_and_covers_every_headline_outcome() -> None:
    catalogue = load_catalogue()
    assert {i.outcome for i in catalogue.indicators} == set(load_outcome_labels())
    assert all(i.explanation and i.evidence for i in catalogue.indicators)


def test_an_unknown_event_kind_is_refused_naming_the_indicator() -> None:
    with pytest.raises(
        IndicatorCatalogueError, match=r"'persistent_absence'.*unknown event kind.*truancy"
    ):
        _parse(_with_first(kinds=["truancy"]))


def test_an_unknown_outcome_is_refused_naming_the_indicator() -> None:
    with pytest.raises(
        IndicatorCatalogueError, match=r"'persistent_absence'.*unknown outcome 'schooling'"
    ):
        _parse(_with_first(outcome="schooling"))


def test_a_kind_the_vocabulary_ties_to_another_outcome_is_refused() -> None:
    with pytest.raises(IndicatorCatalogueError, match=r"does not list 'education'.*offence"):
        _parse(_with_first(kinds=["offence"]))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("applies_to", "grandparent", "applies_to must be one of"),
        ("level", 5, "level must be 1, 2, 3 or 4"),
        ("min_count", 0, "min_count must be a whole number"),
        ("window_days", "a year", "window_days must be a whole number"),
        ("explanation", "", "missing explanation"),
    ],
)
def test_malformed_rule_fields_are_refused(field: str, value: Any, message: str) -> None:
    with pytest.raises(IndicatorCatalogueError, match=message):
        _parse(_with_first(**{field: value}))


def test_an_indicator_listed_twice_is_refused() -> None:
    data = copy.deepcopy(RAW)
    data["indicators"].append(copy.deepcopy(data["indicators"][0]))
    with pytest.raises(IndicatorCatalogueError, match="listed twice"):
        _parse(data)


def test_support_kinds_must_be_in_the_vocabulary() -> None:
    data = copy.deepcopy(RAW)
    data["support"]["statutory_kinds"] = ["cp_plan"]
    with pytest.raises(IndicatorCatalogueError, match=r"support: unknown event kind.*cp_plan"):
        _parse(data)
