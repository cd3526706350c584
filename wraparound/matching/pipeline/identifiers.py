"""Identifiers as the linkage model compares them, vectorised for a million records.

A mistyped NHS number or UPN that is kept would link two different children with full
confidence, so identifiers that fail their checksum are not used as evidence (and are
counted as parse failures). The check rules live in ``wraparound.core.identifiers``,
written once over ints, numpy arrays or polars expressions alike (the synthetic county
generates with the same functions); this module hands them polars columns. Identifiers
without a check rule (a National Insurance number, a local client id, another country's
id) are compared as cleaned text.
"""

from __future__ import annotations

import polars as pl

from wraparound.core.identifiers import (
    NI_NUMBER_PATTERN,
    NI_NUMBER_UNUSED_PREFIXES,
    UPN_CHECK_ALPHABET,
    is_valid_nhs_number,
    is_valid_upn,
    modulus_11_check,
    upn_check_letter,
    upn_check_value,
)

__all__ = [
    "UPN_CHECK_ALPHABET",
    "identifier_expr",
    "is_valid_nhs_number",
    "is_valid_upn",
    "nhs_number_expr",
    "ni_number_is_valid_expr",
    "upn_check_letter",
    "upn_expr",
]


def nhs_number_expr(column: str) -> pl.Expr:
    """Digits of a valid NHS number, or null; spaces and dashes are ignored."""
    digits = pl.col(column).cast(pl.Utf8).str.replace_all(r"[\s\-]", "")
    shaped = digits.str.contains(r"^\d{10}$")
    check = modulus_11_check(
        [digits.str.slice(i, 1).cast(pl.Int32, strict=False) for i in range(9)]
    )
    # a check of 10 never equals a digit: no valid number starts with those nine
    last = digits.str.slice(9, 1).cast(pl.Int32, strict=False)
    return pl.when(shaped & (check == last)).then(digits).otherwise(None)


def _upn_char_value(char: pl.Expr) -> pl.Expr:
    letter_values = {letter: index for index, letter in enumerate(UPN_CHECK_ALPHABET)}
    digit_value = char.cast(pl.Int32, strict=False)
    letter_value = char.replace_strict(letter_values, default=None, return_dtype=pl.Int32)
    return pl.coalesce(digit_value, letter_value)


def upn_expr(column: str) -> pl.Expr:
    """An upper-cased valid UPN, or null."""
    upn = pl.col(column).cast(pl.Utf8).str.strip_chars().str.to_uppercase()
    shaped = upn.str.contains(r"^[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z]$")
    check = upn_check_value([_upn_char_value(upn.str.slice(i + 1, 1)) for i in range(12)])
    expected = _upn_char_value(upn.str.slice(0, 1))
    return pl.when(shaped & (check == expected)).then(upn).otherwise(None)


def identifier_expr(column: str) -> pl.Expr:
    """An identifier as compared: upper case, letters and digits only, null when empty
    (``ab-123 45`` and ``AB12345`` are the same id)."""
    cleaned = (
        pl.col(column)
        .cast(pl.Utf8)
        .str.normalize("NFKD")
        .str.to_uppercase()
        .str.replace_all(r"[^A-Z0-9]", "")
    )
    return pl.when(cleaned.str.len_chars() > 0).then(cleaned)


def ni_number_is_valid_expr(column: str) -> pl.Expr:
    """Whether a National Insurance number (as cleaned by ``identifier_expr``) has the
    shape HMRC issues; one that does not is still compared, and counted as a failure."""
    cleaned = identifier_expr(column)
    return cleaned.str.contains(NI_NUMBER_PATTERN) & ~cleaned.str.slice(0, 2).is_in(
        list(NI_NUMBER_UNUSED_PREFIXES)
    )
