"""Check rules for the national identifiers agencies hold: the one implementation.

NHS numbers (modulus 11), unique pupil numbers (DfE check letter) and National Insurance
numbers (HMRC format rules; they carry no check digit). The synthetic county generates
identifiers that pass these rules and matching refuses to trust ones that fail them, so
both import them from here rather than each keeping a copy that could drift.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

NHS_WEIGHTS = tuple(range(10, 1, -1))  # 10..2 for the first nine digits

# DfE Common Basic Data Set: UPN check letters skip I, O and S.
UPN_CHECK_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"
UPN_WEIGHTS = tuple(range(2, 14))  # characters 2..13 are weighted 2..13

# HMRC: first letter not D, F, I, Q, U, V; second not those nor O; some prefixes never
# issued; a suffix A-D (a missing suffix is allowed: many systems drop it).
NI_NUMBER_PATTERN = r"^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]?$"
NI_NUMBER_UNUSED_PREFIXES = ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ")


# The arithmetic of each rule is written once, over "numbers" that may be Python ints, numpy
# arrays (the synthetic county generates identifiers a million at a time) or polars
# expressions (matching checks them a column at a time): all three use these functions.


def modulus_11_check(digits: Sequence[Any]) -> Any:
    """The NHS check digit of the first nine digits (0 to 10; 10 means invalid)."""
    total = sum(digit * weight for digit, weight in zip(digits, NHS_WEIGHTS, strict=True))
    return (11 - total % 11) % 11


def upn_check_value(values: Sequence[Any]) -> Any:
    """The index in ``UPN_CHECK_ALPHABET`` of the check letter of a UPN's last twelve
    characters, given their values (digits as themselves, letters by alphabet index)."""
    return sum(value * weight for value, weight in zip(values, UPN_WEIGHTS, strict=True)) % 23


def nhs_check_digit(first_nine: str) -> int:
    """The modulus-11 check digit of nine digits; 10 means no valid number starts so."""
    return int(modulus_11_check([int(d) for d in first_nine]))


def is_valid_nhs_number(value: str | None) -> bool:
    """True when ``value`` is ten digits (spaces allowed) whose check digit is right."""
    if value is None:
        return False
    digits = "".join(ch for ch in value if not ch.isspace())
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    check = nhs_check_digit(digits[:9])
    return check != 10 and check == int(digits[9])


def upn_check_letter(body: str) -> str:
    """The check letter for the last twelve characters of a UPN."""
    values = [int(ch) if ch.isdigit() else UPN_CHECK_ALPHABET.index(ch) for ch in body]
    return UPN_CHECK_ALPHABET[int(upn_check_value(values))]


def is_valid_upn(value: str | None) -> bool:
    """True for a 13-character UPN (permanent or temporary) with the right check letter."""
    if value is None:
        return False
    upn = value.strip().upper()
    if len(upn) != 13 or not upn.isascii():
        return False
    if upn[0] not in UPN_CHECK_ALPHABET or not upn[1:12].isdigit():
        return False
    if not (upn[12].isdigit() or upn[12] in UPN_CHECK_ALPHABET):
        return False
    return upn_check_letter(upn[1:]) == upn[0]


def clean_ni_number(value: str) -> str:
    """Upper case, spaces and punctuation removed: ``qq 12 34 56 c`` is ``QQ123456C``."""
    return re.sub(r"[^A-Z0-9]", "", value.upper())


def is_valid_ni_number(value: str | None) -> bool:
    """True when ``value`` has the shape HMRC issues National Insurance numbers in."""
    if value is None:
        return False
    cleaned = clean_ni_number(value)
    return (
        re.match(NI_NUMBER_PATTERN, cleaned) is not None
        and cleaned[:2] not in NI_NUMBER_UNUSED_PREFIXES
    )
