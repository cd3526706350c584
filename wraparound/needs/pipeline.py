"""Needs identification in bulk: every family's flags and profile in a few DuckDB queries.

Inputs are three tables (Arrow/polars), outputs two, so the same code serves the `needs`
command, the benchmark and the tests, with no Django in the loop:

- events: the C2 ``events_frame`` columns (event_key, record_key, agency_slug, kind,
  event_date, ...);
- membership: which family each person-level record belongs to (record_key,
  person_public_id, family_public_id, is_child, dob, locality);
- a reference date: the day the profile describes (events after it are ignored).

Each flag names the indicator that raised it and lists the events (key, agency, kind, date)
that met the rule, so a practitioner can always see why a family was identified: no scores.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import polars as pl

from wraparound.needs.indicators import IndicatorCatalogue

EVENT_COLUMNS = ("event_key", "record_key", "agency_slug", "kind", "event_date")
MEMBERSHIP_COLUMNS = (
    "record_key",
    "person_public_id",
    "family_public_id",
    "is_child",
    "dob",
    "locality",
)


class NeedsInputError(ValueError):
    """An input table lacks a column the pipeline needs; the message names it."""


@dataclass
class NeedsResult:
    """Flags (one row per family and indicator met) and profiles (one row per family)."""

    reference_date: dt.date
    flags: pl.DataFrame
    profiles: pl.DataFrame
    stats: dict[str, int] = field(default_factory=dict)


def _check_columns(frame: pl.DataFrame, needed: tuple[str, ...], name: str) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise NeedsInputError(
            f"The {name} table has no column(s) {missing}; it needs {list(needed)}."
        )


def _rules_frame(catalogue: IndicatorCatalogue) -> pl.DataFrame:
    rows = [
        {
            "indicator_key": i.key,
            "outcome": i.outcome,
            "kind": kind,
            "min_count": i.min_count,
            "window_days": i.window_days,
            "applies_to": i.applies_to,
            "level": i.level,
        }
        for i in catalogue.indicators
        for kind in i.kinds
    ]
    return pl.DataFrame(rows)


_ATTRIBUTED_EVENTS = """
CREATE TEMP TABLE members AS
SELECT DISTINCT record_key, person_public_id, family_public_id,
       CAST(is_child AS BOOLEAN) AS is_child, CAST(dob AS DATE) AS dob
FROM membership_in WHERE family_public_id IS NOT NULL;

CREATE TEMP TABLE ev AS
SELECT e.event_key, e.agency_slug, e.kind, CAST(e.event_date AS DATE) AS event_date,
       m.family_public_id, m.person_public_id,
       CASE WHEN m.person_public_id IS NULL THEN NULL
            WHEN m.dob IS NOT NULL THEN CAST(e.event_date AS DATE) < m.dob + INTERVAL 18 YEAR
            ELSE m.is_child END AS child_then
FROM events_in e JOIN members m ON e.record_key = m.record_key
WHERE CAST(e.event_date AS DATE) <= CAST($ref AS DATE);
"""

_FLAGS = """
WITH hits AS (
    SELECT r.indicator_key, r.outcome, r.level, r.min_count,
           ev.family_public_id, ev.event_key, ev.agency_slug, ev.kind, ev.event_date
    FROM ev JOIN rules r ON ev.kind = r.kind
    WHERE ev.event_date > CAST($ref AS DATE) - CAST(r.window_days AS INTEGER)
      AND CASE r.applies_to
            WHEN 'child' THEN coalesce(ev.child_then, false)
            WHEN 'adult' THEN NOT coalesce(ev.child_then, true)
            WHEN 'any' THEN ev.person_public_id IS NOT NULL
            ELSE true END
)
SELECT family_public_id, any_value(outcome) AS outcome, indicator_key,
       any_value(level)::TINYINT AS level,
       count(*)::INTEGER AS event_count,
       min(event_date) AS first_evidence_date, max(event_date) AS last_evidence_date,
       list(DISTINCT agency_slug ORDER BY agency_slug) AS agencies,
       list({'event_key': event_key, 'agency_slug': agency_slug, 'kind': kind,
             'event_date': event_date} ORDER BY event_date, event_key) AS evidence
FROM hits
GROUP BY family_public_id, indicator_key
HAVING count(*) >= any_value(min_count)
ORDER BY family_public_id, outcome, indicator_key
"""

_PROFILES = """
WITH families AS (
    SELECT family_public_id, min(locality) AS locality,
           list(DISTINCT split_part(record_key, ':', 1) ORDER BY split_part(record_key, ':', 1))
             AS agencies,
           count(DISTINCT person_public_id) FILTER (WHERE coalesce(is_child, false))::INTEGER
             AS children
    FROM membership_in WHERE family_public_id IS NOT NULL GROUP BY family_public_id
), per_outcome AS (
    SELECT family_public_id, outcome, max(level) AS level FROM flags GROUP BY ALL
), needs AS (
    SELECT family_public_id, count(*)::INTEGER AS outcome_count, max(level)::TINYINT AS max_level,
           list(outcome ORDER BY outcome) AS outcomes,
           list({'outcome': outcome, 'level': level} ORDER BY outcome) AS outcome_levels
    FROM per_outcome GROUP BY family_public_id
), support AS (
    SELECT family_public_id,
           bool_or(list_contains($supporting, kind)) AS supported,
           bool_or(list_contains($early_help, kind)) AS early_help,
           min(event_date) FILTER (WHERE list_contains($supporting, kind)) AS support_since,
           list(DISTINCT kind ORDER BY kind) AS support_kinds
    FROM ev
    WHERE event_date > CAST($ref AS DATE) - CAST($support_window AS INTEGER)
      AND (list_contains($supporting, kind) OR list_contains($early_help, kind))
    GROUP BY family_public_id
)
SELECT f.family_public_id, f.locality, f.agencies, f.children,
       coalesce(n.outcome_count, 0) AS outcome_count,
       coalesce(n.max_level, 0)::TINYINT AS max_level,
       coalesce(n.outcomes, []::VARCHAR[]) AS outcomes,
       n.outcome_levels,
       (coalesce(n.outcome_count, 0) >= $min_outcomes
        OR ($level_rule IS NOT NULL AND coalesce(n.max_level, 0) >= $level_rule)) AS at_risk,
       coalesce(s.supported, false) AS supported,
       coalesce(s.early_help, false) AS early_help,
       s.support_since,
       coalesce(s.support_kinds, []::VARCHAR[]) AS support_kinds
FROM families f
LEFT JOIN needs n USING (family_public_id)
LEFT JOIN support s USING (family_public_id)
ORDER BY f.family_public_id
"""


def identify_needs(
    events: pl.DataFrame,
    membership: pl.DataFrame,
    *,
    reference_date: dt.date,
    catalogue: IndicatorCatalogue,
) -> NeedsResult:
    """Every family's flags and profile as of ``reference_date``, computed in bulk."""
    _check_columns(events, EVENT_COLUMNS, "events")
    _check_columns(membership, MEMBERSHIP_COLUMNS, "membership")
    support = catalogue.support
    with duckdb.connect() as con:
        con.register("events_in", events.select(EVENT_COLUMNS).to_arrow())
        con.register("membership_in", membership.select(MEMBERSHIP_COLUMNS).to_arrow())
        con.register("rules", _rules_frame(catalogue).to_arrow())
        con.execute(_ATTRIBUTED_EVENTS, {"ref": reference_date})
        flags = con.execute(_FLAGS, {"ref": reference_date}).pl()
        con.register("flags", flags.to_arrow())
        profiles = con.execute(
            _PROFILES,
            {
                "ref": reference_date,
                "supporting": list(support.supporting_kinds),
                "early_help": list(support.early_help_kinds),
                "support_window": support.window_days,
                "min_outcomes": catalogue.at_risk.min_outcomes,
                "level_rule": catalogue.at_risk.any_level_at_least,
            },
        ).pl()
        attributed = con.execute("SELECT count(DISTINCT event_key) FROM ev").fetchone()
    stats = {
        "events": events.height,
        "events_attributed": int(attributed[0]) if attributed else 0,
        "families": profiles.height,
        "flags": flags.height,
        "families_at_risk": int(profiles["at_risk"].sum()),
        "families_supported": int(profiles["supported"].sum()),
    }
    return NeedsResult(reference_date=reference_date, flags=flags, profiles=profiles, stats=stats)
