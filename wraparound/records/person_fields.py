"""The fields of a person record (the C2 shape), with their types: the one list.

Imports write them, the records selector reads them into a frame, and matching
standardises and compares them; each imports this list rather than writing its own, so a
new field is added in one place. Plain Python (no Django), so the linkage pipeline can
import it.
"""

from __future__ import annotations

import polars as pl

PERSON_RECORD_FIELDS: dict[str, pl.DataType] = {
    "first_name": pl.String(),
    "middle_names": pl.String(),
    "surname": pl.String(),
    "dob": pl.Date(),
    "sex": pl.String(),
    "postcode": pl.String(),
    "address_line": pl.String(),
    "nhs_number": pl.String(),
    "upn": pl.String(),
    "household_ref": pl.String(),
    "recorded_at": pl.Date(),
}
# The fields that describe the person (not the agency's household or the date recorded).
IDENTIFYING_FIELDS = tuple(
    name for name in PERSON_RECORD_FIELDS if name not in ("household_ref", "recorded_at")
)
