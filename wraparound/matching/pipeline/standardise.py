"""Standardise person records before comparison.

Agencies write the same person differently: "Bill O'Brien" and "WILLIAM OBRIEN", "ab12cd"
and "AB1 2CD", a day and month swapped. Linkage compares standardised columns so that
such variation becomes graded evidence instead of a disagreement, and identifiers with a
bad check digit are dropped instead of trusted.

Input is the C2 person-records frame (see ``INPUT_COLUMNS``); output adds the ``*_std``
style columns the model compares (see ``MODEL_COLUMNS``).
"""

from __future__ import annotations

import re

import polars as pl

from wraparound.matching.pipeline.catalogues import nickname_to_canonical
from wraparound.matching.pipeline.errors import LinkageInputError
from wraparound.matching.pipeline.identifiers import (
    identifier_expr,
    nhs_number_expr,
    ni_number_is_valid_expr,
    upn_expr,
)
from wraparound.records.person_fields import PERSON_RECORD_FIELDS

INPUT_COLUMNS: dict[str, pl.DataType] = {
    "record_key": pl.Utf8(),
    "source": pl.Utf8(),
    "source_id": pl.Utf8(),
    **PERSON_RECORD_FIELDS,
    # Brought by match-files mappings; not (yet) held by agency extracts.
    "ni_number": pl.Utf8(),
    # A date of birth that could not be read as a date, kept as text (see ``parse_dates``).
    "dob_unparsed": pl.Utf8(),
}
# Named identifiers a file brings beyond the typed ones (``ident_<name>``, any number).
IDENTIFIER_PREFIX = "ident_"
REQUIRED_COLUMNS = ("record_key", "source")

# Columns the Splink model reads, all produced by ``standardise_records``; plus one
# ``ident_<name>_std`` per named identifier (see ``model_columns``).
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


def identifier_columns(frame: pl.DataFrame) -> list[str]:
    """The standardised named-identifier columns (``ident_<name>_std``) of ``frame``."""
    return [
        name
        for name in frame.columns
        if name.startswith(IDENTIFIER_PREFIX) and name.endswith("_std")
    ]


def model_columns(standardised: pl.DataFrame) -> list[str]:
    """Every column the model reads from ``standardised``."""
    return [*MODEL_COLUMNS, *identifier_columns(standardised)]


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
    if "dob" in records.columns and records.schema["dob"] in (pl.Utf8, pl.String):
        records = records.with_columns(*parse_dates("dob", ()))
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
    named = [name for name in records.columns if name.startswith(IDENTIFIER_PREFIX)]
    columns += [pl.col(name).cast(pl.Utf8) for name in named]
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


_DATE_PARTS = {"%Y": r"(?P<y>\d{4})", "%m": r"(?P<m>\d{1,2})", "%d": r"(?P<d>\d{1,2})"}


def _loose_pattern(fmt: str) -> str | None:
    """A regex with y/m/d groups for a numeric strftime format, or None if it has others."""
    pattern, rest = "^", fmt
    while rest:
        if rest[:2] in _DATE_PARTS:
            pattern, rest = pattern + _DATE_PARTS[rest[:2]], rest[2:]
        elif rest[0] == "%":
            return None
        else:
            pattern, rest = pattern + re.escape(rest[0]), rest[1:]
    return pattern + "$" if all(f"(?P<{g}>" in pattern for g in "ymd") else None


def _loose_iso(raw: pl.Expr, formats: tuple[str, ...]) -> pl.Expr:
    """``raw`` written as YYYY-MM-DD when its digits fit a format even though it is no
    real date (30 February, month 13); otherwise the trimmed text itself."""
    candidates = []
    for fmt in formats:
        pattern = _loose_pattern(fmt)
        if pattern is None:
            continue
        parts = raw.str.extract_groups(pattern)
        candidates.append(
            pl.concat_str(
                parts.struct.field("y"),
                parts.struct.field("m").str.zfill(2),
                parts.struct.field("d").str.zfill(2),
                separator="-",
            )
        )
    return pl.coalesce(*candidates, raw)


def parse_dates(column: str, formats: tuple[str, ...]) -> list[pl.Expr]:
    """``column`` parsed as a date (first format that fits; ISO 8601 by default), and
    ``dob_unparsed``: the text of every value that did not parse, so that nothing is
    silently blanked and the failures can be counted."""
    formats = formats or ("%Y-%m-%d",)
    raw = pl.col(column).cast(pl.Utf8).str.strip_chars()
    raw = pl.when(raw.str.len_chars() > 0).then(raw)
    parsed = pl.coalesce(*[raw.str.to_date(fmt, strict=False) for fmt in formats])
    unparsed = pl.when(raw.is_not_null() & parsed.is_null()).then(_loose_iso(raw, formats))
    return [parsed.alias(column), unparsed.alias("dob_unparsed")]


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


def _postcode_squashed(column: str) -> pl.Expr:
    return _empty_as_null(
        pl.col(column).cast(pl.Utf8).str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "")
    )


def _uk_postcode(column: str) -> pl.Expr:
    """The postcode in its UK form (``AB1 2CD``), or null when it is not UK-shaped."""
    squashed = _postcode_squashed(column)
    formatted = squashed.str.slice(0, squashed.str.len_chars() - 3) + " " + squashed.str.slice(-3)
    return pl.when(squashed.str.contains(POSTCODE_PATTERN)).then(formatted).otherwise(None)


def _postcode(column: str) -> pl.Expr:
    """The UK form where it validates, else the value as written (upper case, letters and
    digits only): a foreign or malformed postcode is still evidence, never blanked."""
    return pl.coalesce(_uk_postcode(column), _postcode_squashed(column))


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
    """The date of birth as text; one that is no real date (``dob_unparsed``) still
    compares as text, and by its year when the year is readable."""
    dob = pl.col("dob")
    day, month = dob.dt.day(), dob.dt.month()
    swappable = (day <= 12) & (day != month)
    swapped = pl.date(dob.dt.year(), day, month)
    text = pl.coalesce(dob.dt.strftime("%Y-%m-%d"), pl.col("dob_unparsed"))
    year = text.str.extract(r"^(\d{4})-", 1)
    return [
        text.alias("dob_text"),
        pl.when(swappable).then(swapped.dt.strftime("%Y-%m-%d")).alias("dob_swapped"),
        year.alias("dob_year"),
    ]


SEX_CODES = {
    "F": "F",
    "FEMALE": "F",
    "W": "F",
    "WOMAN": "F",
    "GIRL": "F",
    "2": "F",
    "M": "M",
    "MALE": "M",
    "MAN": "M",
    "BOY": "M",
    "1": "M",
}


def _sex(column: str) -> pl.Expr:
    """F or M from the common ways of writing them (codes 1/2 as in NHS data); anything
    else (unknown, not stated) is null and counted as a parse failure when not blank."""
    text = pl.col(column).cast(pl.Utf8).str.strip_chars().str.to_uppercase()
    first = text.str.slice(0, 1)
    return pl.coalesce(
        text.replace_strict(SEX_CODES, default=None, return_dtype=pl.Utf8),
        pl.when(first.is_in(["F", "M"])).then(first),
    )


def _per_value(frame: pl.DataFrame, column: str, outputs: dict[str, pl.Expr]) -> pl.DataFrame:
    """``frame`` with ``outputs`` (expressions of ``column`` alone) worked out once per
    distinct value: a county has a million records but a few thousand first names."""
    values = frame.select(pl.col(column).unique())
    worked = values.with_columns(**outputs)
    return frame.join(worked, on=column, how="left", nulls_equal=True, maintain_order="left")


def standardise_records(records: pl.DataFrame) -> pl.DataFrame:
    """Return ``records`` (C2 shape) with the standardised columns the model compares."""
    conformed = conform_columns(records)
    nicknames = nickname_to_canonical()
    first = _empty_as_null(name_tokens("first_name").str.split(" ").list.first())
    surname = _empty_as_null(name_tokens("surname").str.replace_all(" ", ""))
    uk_postcode = _uk_postcode("postcode")
    named = [name for name in conformed.columns if name.startswith(IDENTIFIER_PREFIX)]
    by_value = {
        "first_name": {
            "first_name_std": first,
            "first_name_group": first.replace(nicknames),
        },
        "surname": {"surname_std": surname},
        "sex": {"sex_std": _sex("sex")},
        "postcode": {
            "postcode_std": _postcode("postcode"),
            "postcode_sector": uk_postcode.str.slice(0, uk_postcode.str.len_chars() - 2),
            "postcode_outward": uk_postcode.str.split(" ").list.first(),
        },
        "address_line": {"address_std": _address("address_line")},
        "nhs_number": {"nhs_number_std": nhs_number_expr("nhs_number")},
        "upn": {"upn_std": upn_expr("upn")},
    }
    standardised = conformed
    for column, outputs in by_value.items():
        standardised = _per_value(standardised, column, outputs)
    standardised = standardised.with_columns(
        *_dob_columns(),
        identifier_expr("ni_number").alias(f"{IDENTIFIER_PREFIX}ni_number_std"),
        *[identifier_expr(name).alias(f"{name}_std") for name in named],
    )
    if standardised[f"{IDENTIFIER_PREFIX}ni_number_std"].null_count() == standardised.height:
        standardised = standardised.drop(f"{IDENTIFIER_PREFIX}ni_number_std")
    order = [
        *conformed.columns,
        "first_name_std",
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
        f"{IDENTIFIER_PREFIX}ni_number_std",
        *[f"{name}_std" for name in named],
        "first_name_group",
    ]
    return standardised.select(name for name in order if name in standardised.columns)


def _present(column: str) -> pl.Expr:
    text = pl.col(column).cast(pl.Utf8).str.strip_chars()
    return text.is_not_null() & (text.str.len_chars() > 0)


# field, what went wrong (shown to the user), and which rows it went wrong on. Each
# expression reads the standardised frame, which still holds the raw columns.
PARSE_CHECKS: tuple[tuple[str, str, str, pl.Expr], ...] = (
    (
        "dob",
        "date_not_in_format",
        "date of birth not a date in the mapping's format; kept as text",
        pl.col("dob_unparsed").is_not_null(),
    ),
    (
        "postcode",
        "postcode_not_uk",
        "postcode not in UK form; kept as written (no sector or district)",
        pl.col("postcode_std").is_not_null() & pl.col("postcode_sector").is_null(),
    ),
    (
        "nhs_number",
        "nhs_number_check_digit",
        "NHS number fails its modulus-11 check; not used as evidence",
        _present("nhs_number") & pl.col("nhs_number_std").is_null(),
    ),
    (
        "upn",
        "upn_check_letter",
        "UPN fails its check letter; not used as evidence",
        _present("upn") & pl.col("upn_std").is_null(),
    ),
    (
        "ni_number",
        "ni_number_format",
        "NI number not in HMRC's format; compared as written",
        _present("ni_number") & ~ni_number_is_valid_expr("ni_number").fill_null(value=False),
    ),
    (
        "sex",
        "sex_unrecognised",
        "sex not recognised as female or male; not used",
        _present("sex") & pl.col("sex_std").is_null(),
    ),
    (
        "first_name",
        "name_without_letters",
        "first name has no letters; not used",
        _present("first_name") & pl.col("first_name_std").is_null(),
    ),
    (
        "surname",
        "name_without_letters",
        "surname has no letters; not used",
        _present("surname") & pl.col("surname_std").is_null(),
    ),
    (
        "address",
        "address_without_letters_or_digits",
        "address has no letters or digits; not used",
        _present("address_line") & pl.col("address_std").is_null(),
    ),
)


def _identifier_checks(standardised: pl.DataFrame) -> list[tuple[str, str, str, pl.Expr]]:
    """A named identifier (``ident_<name>``) with no letters or digits is not used."""
    return [
        (
            name.removeprefix(IDENTIFIER_PREFIX),
            "identifier_without_letters_or_digits",
            "identifier has no letters or digits; not used",
            _present(name) & pl.col(f"{name}_std").is_null(),
        )
        for name in standardised.columns
        if name.startswith(IDENTIFIER_PREFIX)
        and not name.endswith("_std")
        and f"{name}_std" in standardised.columns
    ]


def parse_failures(standardised: pl.DataFrame) -> list[dict[str, str | int]]:
    """Every value standardisation could not read as intended, counted per source and
    field: ``source, field, code, problem, count`` (no values, which are personal data)."""
    if standardised.is_empty():
        return []
    checks = [*PARSE_CHECKS, *_identifier_checks(standardised)]
    counts = standardised.group_by("source").agg(
        expr.sum().alias(f"{field}|{code}") for field, code, _, expr in checks
    )
    problems = {(field, code): problem for field, code, problem, _ in checks}
    out: list[dict[str, str | int]] = []
    for row in counts.sort("source").iter_rows(named=True):
        for key, count in row.items():
            if key == "source" or not count:
                continue
            field, code = key.split("|")
            out.append(
                {
                    "source": row["source"],
                    "field": field,
                    "code": code,
                    "problem": problems[(field, code)],
                    "count": int(count),
                }
            )
    return out
