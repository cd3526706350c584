"""Check digits for the national identifiers agencies hold.

A mistyped NHS number or UPN that is kept would link two different children with full
confidence, so identifiers that fail their checksum are treated as missing, never as
evidence. Both a scalar form (for tests and single records) and a vectorised polars form
(for a million records) are provided; they share the same weights and alphabet.
"""

from __future__ import annotations

import polars as pl

NHS_WEIGHTS = tuple(range(10, 1, -1))  # 10..2 for the first nine digits

# DfE Common Basic Data Set: UPN check letters skip I, O and S.
UPN_CHECK_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"
UPN_WEIGHTS = tuple(range(2, 14))  # characters 2..13 are weighted 2..13


def is_valid_nhs_number(value: str | None) -> bool:
    """True when ``value`` is ten digits whose modulus-11 check digit is right."""
    if value is None:
        return False
    digits = "".join(ch for ch in value if not ch.isspace())
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], NHS_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def upn_check_letter(body: str) -> str:
    """The check letter for the last twelve characters of a UPN."""
    total = 0
    for ch, weight in zip(body, UPN_WEIGHTS, strict=True):
        value = int(ch) if ch.isdigit() else UPN_CHECK_ALPHABET.index(ch)
        total += value * weight
    return UPN_CHECK_ALPHABET[total % 23]


def is_valid_upn(value: str | None) -> bool:
    """True for a 13-character UPN (permanent or temporary) with the right check letter."""
    if value is None:
        return False
    upn = value.strip().upper()
    if len(upn) != 13 or upn[0] not in UPN_CHECK_ALPHABET or not upn[1:12].isdigit():
        return False
    if not (upn[12].isdigit() or upn[12] in UPN_CHECK_ALPHABET):
        return False
    return upn_check_letter(upn[1:]) == upn[0]


def nhs_number_expr(column: str) -> pl.Expr:
    """Digits of a valid NHS number, or null; spaces and dashes are ignored."""
    digits = pl.col(column).cast(pl.Utf8).str.replace_all(r"[\s\-]", "")
    shaped = digits.str.contains(r"^\d{10}$")
    total = pl.sum_horizontal(
        [digits.str.slice(i, 1).cast(pl.Int32, strict=False) * w for i, w in enumerate(NHS_WEIGHTS)]
    )
    check = (11 - total % 11) % 11  # 11 becomes 0; 10 stays 10 and never equals a digit
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
    total = pl.sum_horizontal(
        [_upn_char_value(upn.str.slice(i + 1, 1)) * w for i, w in enumerate(UPN_WEIGHTS)]
    )
    expected = _upn_char_value(upn.str.slice(0, 1))
    return pl.when(shaped & (total % 23 == expected)).then(upn).otherwise(None)
