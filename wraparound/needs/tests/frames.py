"""Compact builders for the pipeline's input tables, so each test states only what matters."""

from __future__ import annotations

import datetime as dt
import itertools

import polars as pl

TEST_AGENCIES = ("hcc-social-care", "hartshire-police", "hcc-education", "hartshire-icb")
_keys = itertools.count(1)


def record_key(agency: str, person: str) -> str:
    return f"{agency}:test:{person}"


def events(*rows: tuple[str, ...]) -> pl.DataFrame:
    """Rows of (family, person, kind, ISO date[, agency]); agency defaults to the police."""
    out = []
    for row in rows:
        _, person, kind, day, *rest = row
        agency = rest[0] if rest else "hartshire-police"
        out.append(
            {
                "event_key": f"E{next(_keys):06d}",
                "record_key": record_key(agency, person),
                "source": f"{agency}:test",
                "agency_slug": agency,
                "agency_kind": "police",
                "kind": kind,
                "event_date": dt.date.fromisoformat(day),
                "detail": None,
            }
        )
    return pl.DataFrame(
        out,
        schema={
            "event_key": pl.String,
            "record_key": pl.String,
            "source": pl.String,
            "agency_slug": pl.String,
            "agency_kind": pl.String,
            "kind": pl.String,
            "event_date": pl.Date,
            "detail": pl.String,
        },
    )


def membership(
    *rows: tuple[object, ...], agencies: tuple[str, ...] = TEST_AGENCIES
) -> pl.DataFrame:
    """Rows of (family, person, is_child, locality[, dob ISO]); one record per test agency."""
    out = []
    for row in rows:
        family, person, is_child, locality, *rest = row
        dob = dt.date.fromisoformat(str(rest[0])) if rest and rest[0] else None
        for agency in agencies:
            out.append(
                {
                    "record_key": record_key(agency, str(person)),
                    "person_public_id": person,
                    "family_public_id": family,
                    "is_child": is_child,
                    "dob": dob,
                    "locality": locality,
                }
            )
    return pl.DataFrame(
        out,
        schema={
            "record_key": pl.String,
            "person_public_id": pl.String,
            "family_public_id": pl.String,
            "is_child": pl.Boolean,
            "dob": pl.Date,
            "locality": pl.String,
        },
    )
