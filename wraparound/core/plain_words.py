"""Codes into words with no Django import, so the linkage pipeline words its reasons as the
pages do (``wraparound.core.labels`` re-exports these for templates and views)."""

from __future__ import annotations

import re

# The linkage model's comparisons and columns in an analyst's words. Splink names a comparison
# level after its SQL ("nhs_number_std is NULL"); ``labels.match_reason`` uses these names.
EVIDENCE_NAMES = {
    "nhs_number": "NHS number",
    "upn": "Pupil number",
    "first_name": "First name",
    "first_name_group": "First name (nickname group)",
    "surname": "Surname",
    "dob": "Date of birth",
    "dob_text": "Date of birth",
    "dob_year": "Year of birth",
    "sex": "Sex",
    "home": "Home (postcode and address)",
    "postcode": "Postcode",
    "postcode_sector": "Postcode sector",
    "postcode_outward": "Postcode district",
    "address": "Address",
}
ACRONYMS = ("NHS",)


def humanise(code: str) -> str:
    """A last resort for a code no catalogue knows: ``home_visit`` -> ``Home visit``."""
    words = re.sub(r"[_\-]+", " ", code).strip()
    return words[:1].upper() + words[1:] if words else code


def evidence_name(name: object) -> str:
    """``nhs_number_std`` -> ``NHS number``: a comparison or model column in words."""
    key = re.sub(r"_std$", "", str(name))
    return EVIDENCE_NAMES.get(key, humanise(key))


def evidence_in_a_sentence(name: object) -> str:
    """``dob`` -> ``the date of birth``: a field named mid-sentence."""
    words = evidence_name(name)
    if not words.startswith(ACRONYMS):
        words = words[:1].lower() + words[1:]
    return f"the {words}"


def listed(words: list[str]) -> str:
    """``["Health", "Police", "Housing"]`` -> ``Health, Police and Housing``."""
    return " and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)
