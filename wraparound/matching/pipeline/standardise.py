"""Standardise person records before comparison.

Agencies write the same person differently: "Bill O'Brien" and "WILLIAM OBRIEN", "ab12cd"
and "AB1 2CD", a day and month swapped. Linkage compares standardised columns so that
such variation becomes graded evidence instead of a disagreement, and identifiers with a
bad check digit are dropped instead of trusted.

Input is the C2 person-records frame (see ``INPUT_COLUMNS``); output adds the ``*_std``
style columns the model compares (see ``MODEL_COLUMNS``).
"""

from __future__ import annotations

import polars as pl

from wraparound.matching.pipeline.catalogues import nickname_to_canonical
from wraparound.matching.pipeline.errors import LinkageInputError
from wraparound.matching.pipeline.identifiers import nhs_number_expr, upn_expr

INPUT_COLUMNS: dict[str, pl.DataType] = {
    "record_key": pl.Utf8(),
    "source": pl.Utf8(),
    "source_id": pl.Utf8(),
    "first_name": pl.Utf8(),
    "middle_names": pl.Utf8(),
    "surname": pl.Utf8(),
    "dob": pl.Date(),
    "sex": pl.Utf8(),
    "postcode": pl.Utf8(),
    "address_line": pl.Utf8(),
    "nhs_number": pl.Utf8(),
    "upn": pl.Utf8(),
    "household_ref": pl.Utf8(),
    "recorded_at": pl.Date(),
}
REQUIRED_COLUMNS = ("record_key", "source")

# Columns the Splink model reads, all produced by ``standardise_records``.
MODEL_COLUMNS = (
    "record_key",
    "source",
    "first_name_std",
    "first_name_group",
    "surname_std",
    "dob_text",
    "dob_swapped",
    "dob_year",
    "sex_std",
    "postcode_std",
    "postcode_sector",
    "postcode_outward",
    "address_std",
    "nhs_number_std",
    "upn_std",
)

POSTCODE_PATTERN = r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$"

ADDRESS_ABBREVIATIONS = {
    "rd": "road",
    "st": "street",
    "ave": "avenue",
    "av": "avenue",
    "ln": "lane",
    "cl": "close",
    "dr": "drive",
    "ct": "court",
    "cres": "crescent",
    "gdns": "gardens",
    "gds": "gardens",
    "pl": "place",
    "sq": "square",
    "tce": "terrace",
    "grn": "green",
    "pk": "park",
    "apt": "flat",
    "apartment": "flat",
}


def conform_columns(records: pl.DataFrame) -> pl.DataFrame:
    """Give ``records`` every C2 column with its C2 type, adding missing optional ones as null.

    Raises ``LinkageInputError`` when a required column is missing or a value cannot be
    read as its type, naming the column so the caller can fix the extract or mapping.
    """
    missing = [name for name in REQUIRED_COLUMNS if name not in records.columns]
    if missing:
        raise LinkageInputError(f"Records are missing required column(s): {', '.join(missing)}")
    columns = []
    for name, dtype in INPUT_COLUMNS.items():
        if name not in records.columns:
            columns.append(pl.lit(None, dtype=dtype).alias(name))
        elif records.schema[name] == dtype:
            columns.append(pl.col(name))
        elif dtype == pl.Date():
            columns.append(_as_date(records, name))
        else:
            columns.append(pl.col(name).cast(dtype).alias(name))
    conformed = records.select(columns)
    if conformed["record_key"].null_count():
        raise LinkageInputError("Every record needs a record_key; some are empty")
    duplicated = conformed["record_key"].is_duplicated()
    if duplicated.any():
        example = conformed.filter(duplicated)["record_key"][0]
        raise LinkageInputError(f"record_key must be unique; '{example}' appears more than once")
    return conformed


def _as_date(records: pl.DataFrame, name: str) -> pl.Expr:
    dtype = records.schema[name]
    if dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
        return pl.col(name).dt.date().alias(name)
    if dtype in (pl.Utf8, pl.String, pl.Null):
        return pl.col(name).cast(pl.Utf8).str.to_date(strict=False).alias(name)
    raise LinkageInputError(f"Column '{name}' must hold dates, not {dtype}")


def _ascii_lower(column: str) -> pl.Expr:
    return (
        pl.col(column)
        .cast(pl.Utf8)
        .str.normalize("NFKD")
        .str.replace_all(r"[^\x00-\x7f]", "")
        .str.to_lowercase()
    )


def name_tokens(column: str) -> pl.Expr:
    """Lower-case ASCII letters with hyphens as spaces and apostrophes dropped."""
    return (
        _ascii_lower(column)
        .str.replace_all("['\u2019`.]", "")
        .str.replace_all(r"[^a-z]+", " ")
        .str.strip_chars()
    )


def _empty_as_null(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr.str.len_chars() > 0).then(expr).otherwise(None)


def _postcode(column: str) -> pl.Expr:
    squashed = pl.col(column).cast(pl.Utf8).str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "")
    formatted = squashed.str.slice(0, squashed.str.len_chars() - 3) + " " + squashed.str.slice(-3)
    return pl.when(squashed.str.contains(POSTCODE_PATTERN)).then(formatted).otherwise(None)


def _address(column: str) -> pl.Expr:
    tokens = (
        _ascii_lower(column)
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.strip_chars()
        .str.split(" ")
        .list.eval(pl.element().replace(ADDRESS_ABBREVIATIONS))
        .list.join(" ")
    )
    return _empty_as_null(tokens)


def _dob_columns() -> list[pl.Expr]:
    dob = pl.col("dob")
    day, month = dob.dt.day(), dob.dt.month()
    swappable = (day <= 12) & (day != month)
    swapped = pl.date(dob.dt.year(), day, month)
    return [
        dob.dt.strftime("%Y-%m-%d").alias("dob_text"),
        pl.when(swappable).then(swapped.dt.strftime("%Y-%m-%d")).alias("dob_swapped"),
        dob.dt.year().cast(pl.Utf8).alias("dob_year"),
    ]


def standardise_records(records: pl.DataFrame) -> pl.DataFrame:
    """Return ``records`` (C2 shape) with the standardised columns the model compares."""
    conformed = conform_columns(records)
    nicknames = nickname_to_canonical()
    first = _empty_as_null(name_tokens("first_name").str.split(" ").list.first())
    surname = _empty_as_null(name_tokens("surname").str.replace_all(" ", ""))
    postcode = _postcode("postcode")
    sex = pl.col("sex").cast(pl.Utf8).str.strip_chars().str.to_uppercase().str.slice(0, 1)
    standardised = conformed.with_columns(
        first.alias("first_name_std"),
        surname.alias("surname_std"),
        *_dob_columns(),
        pl.when(sex.is_in(["F", "M"])).then(sex).alias("sex_std"),
        postcode.alias("postcode_std"),
        postcode.str.slice(0, postcode.str.len_chars() - 2).alias("postcode_sector"),
        postcode.str.split(" ").list.first().alias("postcode_outward"),
        _address("address_line").alias("address_std"),
        nhs_number_expr("nhs_number").alias("nhs_number_std"),
        upn_expr("upn").alias("upn_std"),
    )
    return standardised.with_columns(
        pl.col("first_name_std").replace(nicknames).alias("first_name_group"),
    )
