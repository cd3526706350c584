"""A small generator of realistic agency records for linkage tests.

Each person appears in several agencies' extracts with the errors agencies make:
nicknames, typos, swapped day and month, missing or mistyped identifiers, a moved
address, a changed surname. Families share a surname and address, so near-miss
non-matches (siblings, twins aside) exist as in real data.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import polars as pl

from wraparound.matching.pipeline.identifiers import UPN_CHECK_ALPHABET, upn_check_letter

FIRST_NAMES = [
    ("william", "bill"),
    ("elizabeth", "liz"),
    ("james", "jim"),
    ("margaret", "maggie"),
    ("thomas", "tom"),
    ("olivia", "liv"),
    ("jacob", "jake"),
    ("amelia", None),
    ("oliver", "ollie"),
    ("isla", None),
    ("harry", None),
    ("ava", None),
    ("noah", None),
    ("mia", None),
    ("george", "georgie"),
    ("sophie", None),
    ("leo", None),
    ("grace", None),
    ("alexander", "alex"),
    ("rebecca", "becky"),
    ("daniel", "dan"),
    ("chloe", None),
    ("samuel", "sam"),
    ("zoe", None),
    ("joshua", "josh"),
    ("ruby", None),
    ("ethan", None),
    ("lily", None),
    ("mohammed", None),
    ("aisha", None),
    ("kacper", None),
    ("zofia", None),
]
SURNAMES = [
    "smith",
    "jones",
    "taylor",
    "brown",
    "williams",
    "wilson",
    "johnson",
    "davies",
    "robinson",
    "wright",
    "thompson",
    "evans",
    "walker",
    "white",
    "roberts",
    "green",
    "hall",
    "wood",
    "jackson",
    "clarke",
    "patel",
    "khan",
    "o'brien",
    "nowak",
    "kowalski",
    "hughes",
    "edwards",
    "turner",
    "baker",
    "harris",
    "lewis",
    "cooper",
    "ward",
    "morris",
]
STREETS = [
    "high street",
    "church road",
    "mill lane",
    "station road",
    "park avenue",
    "victoria road",
    "green lane",
    "manor close",
    "the crescent",
    "queens drive",
]
OUTWARDS = ["NR1", "NR2", "NR3", "IP1", "IP4", "PE30", "CB1", "CO4"]


def nhs_number(rng: random.Random) -> str:
    while True:
        body = [rng.randint(0, 9) for _ in range(9)]
        check = 11 - sum(d * w for d, w in zip(body, range(10, 1, -1), strict=True)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            return "".join(map(str, body)) + str(check)


def upn(rng: random.Random) -> str:
    body = f"{rng.randint(800, 940)}{rng.randint(1000, 9999)}{rng.randint(5, 24):02d}{rng.randint(0, 999):03d}"
    return upn_check_letter(body) + body


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text) - 1)
    if rng.random() < 0.5:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice("aeioulnrst") + text[i + 1 :]


def _people(rng: random.Random, households: int) -> list[dict[str, object]]:
    people: list[dict[str, object]] = []
    for household in range(households):
        surname = rng.choice(SURNAMES)
        postcode = f"{rng.choice(OUTWARDS)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}"
        address = f"{rng.randint(1, 140)} {rng.choice(STREETS)}"
        adult_birth = date(1970, 1, 1) + timedelta(days=rng.randint(0, 9000))
        size = rng.randint(1, 5)
        for member in range(size):
            is_child = member > 0 or (size == 1 and rng.random() < 0.3)
            born = (
                date(2008, 1, 1) + timedelta(days=rng.randint(0, 5800)) if is_child else adult_birth
            )
            formal, nick = rng.choice(FIRST_NAMES)
            people.append(
                {
                    "person_id": f"p{household}-{member}",
                    "family_id": f"f{household}",
                    "first": formal,
                    "nick": nick,
                    "surname": surname,
                    "dob": born,
                    "sex": rng.choice("FM"),
                    "postcode": postcode,
                    "address": address,
                    "nhs": nhs_number(rng),
                    "upn": upn(rng) if is_child else None,
                }
            )
    return people


def _record(
    rng: random.Random, person: dict[str, object], source: str, n: int
) -> dict[str, object]:
    first = str(person["first"])
    if person["nick"] and rng.random() < 0.2:
        first = str(person["nick"])
    elif rng.random() < 0.05:
        first = _typo(rng, first)
    surname = str(person["surname"])
    if rng.random() < 0.05:
        surname = _typo(rng, surname)
    born: date = person["dob"]  # type: ignore[assignment]
    roll = rng.random()
    if roll < 0.03 and born.day <= 12:
        born = date(born.year, born.day, born.month)
    elif roll < 0.06:
        born = born + timedelta(days=rng.choice([-1, 1, 10]))
    nhs = str(person["nhs"]) if source != "police:nominals" and rng.random() < 0.8 else None
    if nhs and rng.random() < 0.02:
        nhs = nhs[:9] + str((int(nhs[9]) + 1) % 10)  # mistyped: fails the checksum
    postcode, address = str(person["postcode"]), str(person["address"])
    if rng.random() < 0.1:
        postcode = f"{rng.choice(OUTWARDS)} {rng.randint(1, 9)}AB"
        address = f"{rng.randint(1, 140)} {rng.choice(STREETS)}"
    source_id = f"{source.split(':')[0][:3].upper()}{n:06d}"
    return {
        "record_key": f"{source}:{source_id}",
        "source": source,
        "source_id": source_id,
        "agency_slug": source.split(":")[0],
        "first_name": first.title() if rng.random() < 0.5 else first.upper(),
        "middle_names": None,
        "surname": surname.title(),
        "dob": born if rng.random() > 0.02 else None,
        "sex": person["sex"],
        "postcode": postcode.replace(" ", "") if rng.random() < 0.3 else postcode,
        "address_line": address.title(),
        "nhs_number": nhs,
        "upn": person["upn"] if source == "school:census" else None,
        "household_ref": str(person["family_id"]) + source[:3],
        "recorded_at": date(2025, 1, 1),
        "person_id": person["person_id"],
        "family_id": person["family_id"],
    }


SOURCES = ("health:gp", "school:census", "police:nominals", "social-care:cases")


def fake_records(households: int, *, seed: int = 7) -> pl.DataFrame:
    """C2-shaped records plus the truth columns ``person_id`` and ``family_id``."""
    rng = random.Random(seed)
    rows = []
    for person in _people(rng, households):
        for source in SOURCES:
            if source == "school:census" and not person["upn"]:
                continue
            copies = 2 if rng.random() < 0.1 else 1  # a duplicate within an agency
            for _ in range(copies if rng.random() < 0.85 else 0):
                rows.append(_record(rng, person, source, len(rows)))
    return pl.DataFrame(rows, infer_schema_length=None)


__all__ = ["UPN_CHECK_ALPHABET", "fake_records"]
