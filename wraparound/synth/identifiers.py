"""Valid-checksum NHS numbers and unique pupil numbers (UPNs), unique per person.

Identifiers are derived from a person's global index through an affine bijection, so they
are unique across a whole county without keeping a set of used numbers in memory, and the
same seed always gives the same numbers.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

# The check rules have one home, shared with matching; this module only generates.
from wraparound.core.identifiers import is_valid_nhs_number as nhs_number_is_valid
from wraparound.core.identifiers import is_valid_upn as upn_is_valid
from wraparound.core.identifiers import modulus_11_check, upn_check_letter

__all__ = ["nhs_check_digit", "nhs_number_is_valid", "nhs_numbers", "upn_is_valid", "upns"]

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
    digits = _digits(first_nine, 9)
    return np.asarray(modulus_11_check([digits[:, i] for i in range(9)]), dtype=np.int64)


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
