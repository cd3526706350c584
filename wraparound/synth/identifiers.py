"""Valid-checksum NHS numbers and unique pupil numbers (UPNs), unique per person.

Identifiers are derived from a person's global index through an affine bijection, so they
are unique across a whole county without keeping a set of used numbers in memory, and the
same seed always gives the same numbers.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

NHS_WEIGHTS = np.arange(10, 1, -1)  # weights 10..2 for the first nine digits
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 check letters (no I, O, S)
UPN_LA_CODE = "990"  # a local-authority number no real authority uses
_NHS_SPACE = 30_000_000
_NHS_STRIDE = 7_919_993  # coprime with _NHS_SPACE
_UPN_SPACE = 10_000_000
_UPN_STRIDE = 3_141_599  # coprime with _UPN_SPACE


def _digits(values: npt.NDArray[np.int64], width: int) -> npt.NDArray[np.int64]:
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (values[:, None] // powers) % 10


def nhs_check_digit(first_nine: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Modulus 11 check digit; 10 means the nine digits cannot form a valid number."""
    total = (_digits(first_nine, 9) * NHS_WEIGHTS).sum(axis=1)
    check = 11 - total % 11
    return np.where(check == 11, 0, check)


def nhs_numbers(person_index: npt.NDArray[np.int64], seed: int) -> list[str]:
    """Ten-digit NHS numbers starting 4-6, unique for up to 30 million people."""
    offset = (seed * 104_729) % _NHS_SPACE
    x = (person_index.astype(np.int64) * _NHS_STRIDE + offset) % _NHS_SPACE
    first_eight = 40_000_000 + x
    best = np.zeros(len(x), dtype=np.int64)
    found = np.zeros(len(x), dtype=bool)
    for ninth in range(10):  # choose the ninth digit so the check digit is not 10
        candidate = first_eight * 10 + ninth
        ok = (nhs_check_digit(candidate) != 10) & ~found
        best[ok] = candidate[ok]
        found |= ok
    full = best * 10 + nhs_check_digit(best)
    return [str(v) for v in full.tolist()]


def nhs_number_is_valid(value: str) -> bool:
    """True when a string is ten digits with a correct modulus 11 check digit."""
    if len(value) != 10 or not value.isdigit():
        return False
    first_nine = np.array([int(value[:9])], dtype=np.int64)
    check = int(nhs_check_digit(first_nine)[0])
    return check != 10 and check == int(value[9])


def upn_check_letter(body: str) -> str:
    """DfE UPN check letter over the twelve digits that follow it (weights 2..13, mod 23)."""
    total = sum(int(ch) * weight for weight, ch in enumerate(body, start=2))
    return UPN_LETTERS[total % 23]


def upns(
    child_index: npt.NDArray[np.int64], entry_year: npt.NDArray[np.int64], seed: int
) -> list[str]:
    """Thirteen-character UPNs: check letter, LA code, establishment, year, serial."""
    offset = (seed * 7_919) % _UPN_SPACE
    x = (child_index.astype(np.int64) * _UPN_STRIDE + offset) % _UPN_SPACE
    result = []
    for serial, year in zip(x.tolist(), (entry_year % 100).tolist(), strict=True):
        establishment, number = divmod(serial, 1000)
        body = f"{UPN_LA_CODE}{establishment:04d}{year:02d}{number:03d}"
        result.append(upn_check_letter(body) + body)
    return result


def upn_is_valid(value: str) -> bool:
    """True when a UPN has a correct check letter over twelve digits."""
    if len(value) != 13 or not value[1:].isdigit():
        return False
    return value[0] == upn_check_letter(value[1:])
