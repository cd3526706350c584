"""Needs identification rules, one specification per behaviour, on tiny hand-made tables."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest

from wraparound.needs.indicators import AtRiskRule, Indicator, load_catalogue
from wraparound.needs.pipeline import NeedsInputError, NeedsResult, identify_needs
from wraparound.needs.tests.frames import events, membership

pytestmark = pytest.mark.pipeline

REF = dt.date(2026, 3, 31)
CATALOGUE = load_catalogue()


def _run(
    evs: pl.DataFrame, mem: pl.DataFrame, catalogue=CATALOGUE, ref: dt.date = REF
) -> NeedsResult:
    return identify_needs(evs, mem, reference_date=ref, catalogue=catalogue)


def _keys(result: NeedsResult, family: str = "F-1") -> set[str]:
    return set(result.flags.filter(pl.col("family_public_id") == family)["indicator_key"])


def _subject(indicator: Indicator) -> tuple[str, bool, str]:
    """A family member the indicator applies to: (person, is_child, dob)."""
    if indicator.applies_to == "child":
        return "P-child", True, "2015-06-01"
    return "P-adult", False, "1985-06-01"


def _family() -> pl.DataFrame:
    return membership(("F-1", "P-child", True, "Harbridge", "2015-06-01"),
                      ("F-1", "P-adult", False, "Harbridge", "1985-06-01"))  # fmt: skip


def _days_before(days: int) -> str:
    return (REF - dt.timedelta(days=days)).isoformat()


@pytest.mark.parametrize("indicator", CATALOGUE.indicators, ids=lambda i: i.key)
def test_indicator_flags_a_family_at_its_minimum_count_and_not_one_below(
    indicator: Indicator,
) -> None:
    person, _, _ = _subject(indicator)
    kind = indicator.kinds[0]
    rows = [("F-1", person, kind, _days_before(10 + i)) for i in range(indicator.min_count)]
    assert indicator.key in _keys(_run(events(*rows), _family()))
    assert indicator.key not in _keys(_run(events(*rows[:-1]), _family()))


@pytest.mark.parametrize("indicator", CATALOGUE.indicators, ids=lambda i: i.key)
def test_indicator_counts_only_events_inside_its_look_back_window(indicator: Indicator) -> None:
    person, _, _ = _subject(indicator)
    kind = indicator.kinds[-1]
    inside = [("F-1", person, kind, _days_before(indicator.window_days - 1 - i))
              for i in range(indicator.min_count)]  # fmt: skip
    outside = [("F-1", person, kind, _days_before(indicator.window_days + i))
               for i in range(indicator.min_count)]  # fmt: skip
    assert indicator.key in _keys(_run(events(*inside), _family()))
    assert indicator.key not in _keys(_run(events(*outside), _family()))


@pytest.mark.parametrize(
    "indicator",
    [i for i in CATALOGUE.indicators if i.applies_to in {"child", "adult"}],
    ids=lambda i: i.key,
)
def test_indicator_ignores_members_it_does_not_apply_to(indicator: Indicator) -> None:
    other = "P-adult" if indicator.applies_to == "child" else "P-child"
    rows = [
        ("F-1", other, indicator.kinds[0], _days_before(5 + i)) for i in range(indicator.min_count)
    ]
    assert indicator.key not in _keys(_run(events(*rows), _family()))


def test_events_after_the_reference_date_are_ignored() -> None:
    later = (REF + dt.timedelta(days=1)).isoformat()
    result = _run(events(("F-1", "P-adult", "domestic_abuse_incident", later)), _family())
    assert result.flags.is_empty()


def test_child_means_under_18_on_the_event_date_when_the_date_of_birth_is_known() -> None:
    mem = membership(("F-1", "P-teen", False, "Harbridge", "2008-01-01"))
    before_18 = _run(events(("F-1", "P-teen", "missing_episode", "2025-12-31")), mem)
    after_18 = _run(events(("F-1", "P-teen", "missing_episode", "2026-01-02")), mem)
    assert "missing_from_home" in _keys(before_18)
    assert "missing_from_home" not in _keys(after_18)


def test_membership_role_decides_child_or_adult_when_the_date_of_birth_is_unknown() -> None:
    mem = membership(("F-1", "P-x", True, "Harbridge"), ("F-1", "P-y", False, "Harbridge"))
    result = _run(
        events(
            ("F-1", "P-x", "missing_episode", "2026-01-02"),
            ("F-1", "P-y", "da_support_referral", "2026-01-02", "hartshire-police"),
        ),
        mem,
    )
    assert {"missing_from_home", "domestic_abuse_support"} <= _keys(result)


def test_counts_add_up_across_the_family_s_members() -> None:
    mem = membership(("F-1", "P-a", True, "Harbridge"), ("F-1", "P-b", True, "Harbridge"))
    rows = [("F-1", "P-a", "missed_health_contact", "2026-01-02"),
            ("F-1", "P-b", "missed_health_contact", "2026-02-02")]  # fmt: skip
    assert "missed_health_contacts" in _keys(_run(events(*rows), mem))


def test_a_flag_lists_the_events_and_agencies_that_raised_it() -> None:
    evs = events(
        ("F-1", "P-adult", "domestic_abuse_incident", "2026-01-10", "hartshire-police"),
        ("F-1", "P-adult", "domestic_abuse_incident", "2026-02-10", "hcc-social-care"),
    )
    flag = _run(evs, _family()).flags.filter(pl.col("indicator_key") == "domestic_abuse_incident")
    assert flag.height == 1
    row = flag.row(0, named=True)
    assert row["event_count"] == 2
    assert row["agencies"] == ["hartshire-police", "hcc-social-care"]
    assert [e["event_key"] for e in row["evidence"]] == evs["event_key"].to_list()
    assert [e["agency_slug"] for e in row["evidence"]] == ["hartshire-police", "hcc-social-care"]
    assert row["first_evidence_date"] == dt.date(2026, 1, 10)
    assert row["last_evidence_date"] == dt.date(2026, 2, 10)
    assert row["outcome"] == "domestic_abuse"
    assert row["level"] == 3


def test_events_on_records_outside_any_family_are_not_attributed() -> None:
    evs = events(("F-9", "P-stranger", "offence", "2026-01-10"))
    result = _run(evs, _family())
    assert result.flags.is_empty()
    assert result.stats["events"] == 1
    assert result.stats["events_attributed"] == 0


def _three_outcomes() -> pl.DataFrame:
    return events(
        ("F-1", "P-adult", "domestic_abuse_incident", "2026-01-10"),
        ("F-1", "P-adult", "offence", "2026-01-11"),
        ("F-1", "P-adult", "notice_seeking_possession", "2026-01-12", "hcc-social-care"),
    )


def _profile(result: NeedsResult, family: str = "F-1") -> dict[str, object]:
    return result.profiles.filter(pl.col("family_public_id") == family).row(0, named=True)


def test_a_family_is_at_risk_with_needs_under_three_outcomes() -> None:
    three = _profile(_run(_three_outcomes(), _family()))
    two = _profile(_run(_three_outcomes().head(2), _family()))
    assert three["at_risk"]
    assert three["outcome_count"] == 3
    assert three["outcomes"] == ["crime_prevention", "domestic_abuse", "secure_housing"]
    assert not two["at_risk"]
    assert two["outcome_count"] == 2
    assert two["max_level"] == 3


def test_the_at_risk_rule_is_data_and_can_use_the_level() -> None:
    catalogue = dataclasses.replace(
        CATALOGUE, at_risk=AtRiskRule(min_outcomes=5, any_level_at_least=3, explanation="")
    )
    one_level_3 = events(("F-1", "P-adult", "offence", "2026-01-11"))
    one_level_2 = events(("F-1", "P-adult", "asb", "2026-01-11"))
    assert _profile(_run(one_level_3, _family(), catalogue))["at_risk"]
    assert not _profile(_run(one_level_2, _family(), catalogue))["at_risk"]


def test_a_statutory_plan_in_the_support_window_means_supported_and_early_help_does_not() -> None:
    plan = _profile(
        _run(
            events(("F-1", "P-child", "child_protection_plan", "2024-06-01", "hcc-social-care")),
            _family(),
        )
    )
    early = _profile(
        _run(
            events(("F-1", "P-child", "early_help_assessment", "2026-01-01", "hcc-social-care")),
            _family(),
        )
    )
    old = _profile(
        _run(
            events(("F-1", "P-child", "child_in_need_plan", "2022-01-01", "hcc-social-care")),
            _family(),
        )
    )
    assert plan["supported"]
    assert plan["support_kinds"] == ["child_protection_plan"]
    assert plan["support_since"] == dt.date(2024, 6, 1)
    assert not early["supported"]
    assert early["early_help"]
    assert not old["supported"]


def test_every_family_in_the_membership_gets_a_profile_even_with_no_events() -> None:
    mem = membership(("F-1", "P-a", True, "Harbridge"), ("F-2", "P-b", False, "Kingsford"))
    result = _run(events(("F-1", "P-a", "missing_episode", "2026-01-02")), mem)
    quiet = _profile(result, "F-2")
    assert result.profiles.height == 2
    assert quiet["outcome_count"] == 0
    assert quiet["max_level"] == 0
    assert not quiet["at_risk"]
    assert quiet["locality"] == "Kingsford"
    assert quiet["agencies"] == sorted(
        ["hcc-social-care", "hartshire-police", "hcc-education", "hartshire-icb"]
    )


def test_an_input_without_a_needed_column_is_refused_by_name() -> None:
    with pytest.raises(NeedsInputError, match="event_date"):
        _run(events().drop("event_date"), _family())


def test_default_reference_date_is_not_thrown_by_one_source_with_future_dates() -> None:
    from wraparound.needs.runs import default_reference_date

    frame = pl.concat(
        [
            events(("F-1", "P-a", "offence", "2026-03-30", "hartshire-police")),
            events(("F-1", "P-a", "sc_contact", "2026-03-31", "hcc-social-care")),
            events(("F-1", "P-a", "early_help_assessment", "2026-04-26", "hcc-early-help")),
        ]
    )
    assert default_reference_date(frame) == dt.date(2026, 3, 31)
