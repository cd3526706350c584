"""The Splink model definition: which evidence is compared, and how pairs are blocked.

Built from Splink's comparison *creators* rather than raw SQL strings so that one model
definition renders into DuckDB SQL on one machine and Spark SQL on a cluster.
Comparisons and blocking rules that need a column the input does not hold (all null —
e.g. a file with no NHS numbers) are left out, so an absent identifier is neither
evidence for nor against a match and EM is never asked to learn from nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.blocking_rule_library import And, CustomRule
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator

MODEL_NAME = "wraparound-person"
MODEL_VERSION = 2  # bump when comparisons or blocking rules change meaning

# Which pairs a run may join: every pair (a master index), only pairs across sources, or
# only pairs within one source. Applied inside every blocking rule, so the pairs a mode
# excludes are never generated, counted or scored.
MODES = ("link_and_dedupe", "link_only", "dedupe_only")
MODE_CONDITIONS = {
    "link_and_dedupe": None,
    "link_only": "l.source <> r.source",
    "dedupe_only": "l.source = r.source",
}


# Comparisons whose "differs outright" level has a fixed m except in EM sessions blocked
# on an identifier (see ``linkage._train``): how often one person's first name or date
# of birth is recorded as something else altogether differs between data sets, but
# only pairs sharing an identifier show it without relatives mixed in.
ELSE_LEARNT_ON_IDENTIFIERS = ("first_name", "dob", "sex")


def learn_else_levels(linker: Linker, *, learn: bool) -> None:
    """Let EM update (``learn``) or hold the m of the "differs outright" level of each
    comparison in ``ELSE_LEARNT_ON_IDENTIFIERS``, before an EM session."""
    for comparison in linker._settings_obj.comparisons:
        if comparison.output_column_name in ELSE_LEARNT_ON_IDENTIFIERS:
            for level in comparison.comparison_levels:
                if level._is_else_level:
                    level._fix_m_probability = not learn


def in_mode(rule: BlockingRuleCreator, mode: str) -> BlockingRuleCreator:
    """``rule`` restricted to the pairs ``mode`` allows."""
    condition = MODE_CONDITIONS[mode]
    return rule if condition is None else And(rule, CustomRule(condition))


@dataclass(frozen=True)
class Evidence:
    """One comparison and the standardised columns it needs."""

    name: str
    needs: tuple[str, ...]
    comparison: ComparisonCreator


@dataclass(frozen=True)
class Blocking:
    """One blocking rule, why it exists, and the columns it needs."""

    name: str
    reason: str
    needs: tuple[str, ...]
    rule: BlockingRuleCreator


def _name_comparison(
    column: str, label: str, group_column: str | None, other: str
) -> ComparisonCreator:
    """Graded name agreement; ``other`` is the other name column, for names written in
    each other's boxes (forename and surname transposed, a common keying slip)."""
    levels: list[ComparisonLevelCreator | dict[str, Any]] = [
        cll.NullLevel(column),
        cll.ExactMatchLevel(column, term_frequency_adjustments=True).configure(m_probability=0.85),
        cll.CustomLevel(
            f'"{column}_l" = "{other}_r" OR "{other}_l" = "{column}_r"',
            label_for_charts="Forename and surname transposed",
            base_dialect_str="duckdb",
        ).configure(m_probability=0.01),
    ]
    if group_column is not None:
        levels.append(
            cll.ExactMatchLevel(group_column).configure(
                label_for_charts="Same nickname group", m_probability=0.05
            )
        )
    levels += [
        cll.JaroWinklerLevel(column, 0.92).configure(m_probability=0.05),
        # one slip in a short name ("Mia" / "Mua") scores low on Jaro-Winkler
        cll.DamerauLevenshteinLevel(column, 1).configure(m_probability=0.02),
        cll.JaroWinklerLevel(column, 0.80).configure(m_probability=0.03),
        # A first name recorded as a different name altogether is rare for one person and
        # usual for relatives. Fixed for first names, as for dates of birth: EM trained on
        # pairs sharing a birthday and surname otherwise learns from households (a birthday
        # copied between relatives) that people "match" with different first names.
        # Surnames change (marriage), so their m is learnt.
        cll.ElseLevel().configure(m_probability=0.02, fix_m_probability=group_column is not None),
    ]
    return cl.CustomComparison(levels, output_column_name=label)


def _dob_comparison() -> ComparisonCreator:
    return cl.CustomComparison(
        [
            cll.NullLevel("dob_text"),
            cll.ExactMatchLevel("dob_text").configure(m_probability=0.9),
            cll.CustomLevel(
                '"dob_text_l" = "dob_swapped_r"',
                label_for_charts="Day and month swapped",
                base_dialect_str="duckdb",
            ).configure(m_probability=0.02),
            # One digit mistyped, or two adjacent digits transposed, in the date written as
            # digits (YYYYMMDD): 1939-11-23 / 1939-12-13 is one slip across month and day.
            cll.CustomLevel(
                "damerau_levenshtein(replace(\"dob_text_l\", '-', ''), "
                "replace(\"dob_text_r\", '-', '')) <= 1",
                label_for_charts="One digit slipped or two adjacent digits transposed",
                base_dialect_str="duckdb",
            ).configure(m_probability=0.05),
            cll.CustomLevel(
                'substr("dob_text_l", 6, 5) = substr("dob_text_r", 6, 5)',
                label_for_charts="Same day and month, year differs",
                base_dialect_str="duckdb",
            ).configure(m_probability=0.02),
            cll.ExactMatchLevel("dob_year").configure(m_probability=0.02),
            # Fixed: EM otherwise learns that relatives sharing a name and a home "match"
            # with different birthdays (a father and son both called William).
            cll.ElseLevel().configure(m_probability=0.003, fix_m_probability=True),
        ],
        output_column_name="dob",
    )


def _home_comparison(*, has_postcode: bool, has_address: bool) -> ComparisonCreator:
    """Postcode and address as ONE comparison: they are not independent evidence, and
    counting both would let a shared home outweigh a different date of birth."""
    levels: list[ComparisonLevelCreator | dict[str, Any]] = []
    if has_postcode:
        levels.append(cll.NullLevel("postcode_std"))
        if has_address:
            levels.append(
                cll.And(
                    cll.ExactMatchLevel("postcode_std"),
                    cll.JaroWinklerLevel("address_std", 0.9),
                ).configure(label_for_charts="Same address", m_probability=0.7)
            )
        levels.append(cll.ExactMatchLevel("postcode_std").configure(m_probability=0.1))
        if has_address:
            levels.append(
                cll.JaroWinklerLevel("address_std", 0.9).configure(
                    label_for_charts="Same address line, postcode differs", m_probability=0.05
                )
            )
        levels += [
            cll.ExactMatchLevel("postcode_sector").configure(m_probability=0.05),
            cll.ExactMatchLevel("postcode_outward").configure(m_probability=0.05),
            # a postcode mistyped by one character (any country's form)
            cll.DamerauLevenshteinLevel("postcode_std", 1).configure(m_probability=0.03),
        ]
    else:
        levels += [
            cll.NullLevel("address_std"),
            cll.ExactMatchLevel("address_std", term_frequency_adjustments=True).configure(
                m_probability=0.7
            ),
            cll.JaroWinklerLevel("address_std", 0.9).configure(m_probability=0.1),
        ]
    levels.append(cll.ElseLevel().configure(m_probability=0.1))
    return cl.CustomComparison(levels, output_column_name="home")


def _identifier_comparison(column: str, label: str) -> ComparisonCreator:
    return cl.CustomComparison(
        [
            cll.NullLevel(column),
            cll.ExactMatchLevel(column).configure(m_probability=0.99),
            # Fixed: a mistyped identifier that still passes its checksum is rare but
            # real; EM would otherwise learn 0 and make one typo veto a true match.
            cll.ElseLevel().configure(m_probability=0.002, fix_m_probability=True),
        ],
        output_column_name=label,
    )


def _named_identifier_comparison(column: str, label: str) -> ComparisonCreator:
    """An identifier with no check rule: equal is strong evidence, one slip is some, and
    a difference counts against (learnt by EM, since unchecked ids are mistyped often)."""
    return cl.CustomComparison(
        [
            cll.NullLevel(column),
            cll.ExactMatchLevel(column).configure(m_probability=0.9),
            cll.DamerauLevenshteinLevel(column, 1).configure(m_probability=0.05),
            cll.ElseLevel().configure(m_probability=0.05),
        ],
        output_column_name=label,
    )


def identifier_label(column: str) -> str:
    """``ident_soc_sec_id_std`` -> ``soc_sec_id``: the name the mapping gave."""
    return column.removeprefix("ident_").removesuffix("_std")


def named_identifier_evidence(columns: list[str]) -> list[Evidence]:
    return [
        Evidence(
            identifier_label(column),
            (column,),
            _named_identifier_comparison(column, identifier_label(column)),
        )
        for column in columns
    ]


def all_evidence() -> list[Evidence]:
    """Every comparison the model knows, strongest identifiers first."""
    return [
        Evidence(
            "nhs_number",
            ("nhs_number_std",),
            _identifier_comparison("nhs_number_std", "nhs_number"),
        ),
        Evidence("upn", ("upn_std",), _identifier_comparison("upn_std", "upn")),
        Evidence(
            "first_name",
            ("first_name_std", "first_name_group"),
            _name_comparison("first_name_std", "first_name", "first_name_group", "surname_std"),
        ),
        Evidence(
            "surname",
            ("surname_std",),
            _name_comparison("surname_std", "surname", None, "first_name_std"),
        ),
        Evidence("dob", ("dob_text",), _dob_comparison()),
        Evidence("sex", ("sex_std",), _sex_comparison()),
    ]


def _home_evidence(present: set[str]) -> list[Evidence]:
    has_postcode = "postcode_std" in present
    has_address = "address_std" in present
    if not (has_postcode or has_address):
        return []
    needs = ("postcode_std",) if has_postcode else ("address_std",)
    comparison = _home_comparison(has_postcode=has_postcode, has_address=has_address)
    return [Evidence("home", needs, comparison)]


def _sex_comparison() -> ComparisonCreator:
    return cl.CustomComparison(
        [
            cll.NullLevel("sex_std"),
            cll.ExactMatchLevel("sex_std").configure(m_probability=0.98),
            # Fixed, as for first names: twins and relatives sharing a copied birthday
            # differ in sex, and EM on birthday blocks would learn that matches do.
            cll.ElseLevel().configure(m_probability=0.02, fix_m_probability=True),
        ],
        output_column_name="sex",
    )


def all_blocking(
    identifiers: tuple[str, ...] | list[str] = (), mode: str = "link_and_dedupe"
) -> list[Blocking]:
    """Blocking rules, each catching a way true matches differ that the others miss,
    restricted to the pairs ``mode`` allows."""
    named = [
        Blocking(
            identifier_label(column),
            f"same {identifier_label(column)}",
            (column,),
            block_on(column),
        )
        for column in identifiers
    ]
    return [
        Blocking(item.name, item.reason, item.needs, in_mode(item.rule, mode))
        for item in [*_fixed_blocking(), *named]
    ]


def _fixed_blocking() -> list[Blocking]:
    return [
        Blocking("nhs_number", "same NHS number", ("nhs_number_std",), block_on("nhs_number_std")),
        Blocking("upn", "same pupil number", ("upn_std",), block_on("upn_std")),
        Blocking(
            "dob_first_name",
            "surname changed or mistyped, same birthday",
            ("dob_text", "first_name_group"),
            block_on("dob_text", "first_name_group"),
        ),
        Blocking(
            "dob_surname",
            "first name unrecognised or mistyped, same birthday",
            ("dob_text", "surname_std"),
            block_on("dob_text", "surname_std"),
        ),
        # Same names alone would pair every "Oliver Smith" in a county with every other:
        # pairs that grow with the square of the county (50 million at a million records).
        # The ways a true match with the same names differs are caught one by one instead.
        *_same_names_blocking(),
        Blocking(
            "postcode_first_name",
            "date of birth badly mistyped, same home",
            ("postcode_std", "first_name_group"),
            block_on("postcode_std", "first_name_group"),
        ),
        Blocking(
            "dob_postcode",
            "both names mistyped, same birthday and home",
            ("dob_text", "postcode_std"),
            block_on("dob_text", "postcode_std"),
        ),
        Blocking(
            "address_first_name",
            "no postcode or birthday on one side, same address line",
            ("address_std", "first_name_group"),
            block_on("address_std", "first_name_group"),
        ),
        Blocking(
            "postcode_surname",
            "first name mistyped and no date of birth, same home",
            ("postcode_std", "surname_std"),
            block_on("postcode_std", "surname_std"),
        ),
    ]


def _same_names_blocking() -> list[Blocking]:
    names = ("first_name_group", "surname_std")
    return [
        Blocking(
            "names_birth_year",
            "day or month of birth mistyped or swapped, same names and year of birth",
            (*names, "dob_year"),
            block_on(*names, "dob_year"),
        ),
        Blocking(
            "names_birthday",
            "year of birth mistyped, same names, day and month",
            (*names, "dob_text"),
            block_on(*names, "substr(dob_text, 6, 5)"),
        ),
        *[
            Blocking(
                f"names_no_birth_date_{side}",
                "same names, no date of birth on one side",
                names,
                # Unquoted: Spark reads a double-quoted name as a string literal.
                And(block_on(*names), CustomRule(f"{side}.dob_text IS NULL")),
            )
            for side in ("l", "r")
        ],
    ]


def usable_columns(records: pl.DataFrame) -> set[str]:
    """Standardised columns holding at least one value."""
    return {name for name in records.columns if records[name].null_count() < records.height}


def _identifier_columns(records: pl.DataFrame) -> list[str]:
    return [c for c in records.columns if c.startswith("ident_") and c.endswith("_std")]


def chosen_evidence(records: pl.DataFrame) -> list[Evidence]:
    present = usable_columns(records)
    named = [c for c in _identifier_columns(records) if c in present]
    chosen = [item for item in all_evidence() if set(item.needs) <= present]
    return chosen + named_identifier_evidence(named) + _home_evidence(present)


def chosen_blocking(records: pl.DataFrame, mode: str = "link_and_dedupe") -> list[Blocking]:
    present = usable_columns(records)
    named = [c for c in _identifier_columns(records) if c in present]
    return [item for item in all_blocking(named, mode) if set(item.needs) <= present]


def splink_settings(
    evidence: list[Evidence], blocking: list[Blocking], *, prior_match_probability: float
) -> SettingsCreator:
    """Splink settings for a dedupe over one table holding every source.

    ``dedupe_only`` over the union of sources both de-duplicates within a source and links
    across sources, which is what a master index needs.
    """
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_key",
        comparisons=[item.comparison for item in evidence],
        blocking_rules_to_generate_predictions=[item.rule for item in blocking],
        probability_two_random_records_match=prior_match_probability,
        retain_matching_columns=True,  # gamma_* columns: which fields agreed, for "why"
        retain_intermediate_calculation_columns=False,
        additional_columns_to_retain=["source"],
        max_iterations=20,
        em_convergence=0.001,
    )
