"""Households, families and people of one chunk of the synthetic county.

Generated column-wise with numpy: household types depend on deprivation, children are
spaced like real siblings (with twins), names follow frequency tables by generation, and
some households move and some adults change surname inside the observation window, so that
agencies holding records from different dates disagree the way real agencies do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import polars as pl

from wraparound.synth.catalogues import Catalogues
from wraparound.synth.identifiers import nhs_numbers, upns
from wraparound.synth.parameters import CountyParameters

EPOCH = date(1970, 1, 1)
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
# household types: single adult, couple, couple with children, lone parent,
# older couple, three generations
N_ADULTS = np.array([1, 2, 2, 1, 2, 3])
HAS_CHILDREN = np.array([False, False, True, True, False, True])

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def day_number(d: date) -> int:
    return (d - EPOCH).days


@dataclass
class Population:
    """One chunk: families (one per household) and the people in them, in family order."""

    families: pl.DataFrame
    persons: pl.DataFrame


def _pick(rng: np.random.Generator, names: list[str], weights: FloatArray, n: int) -> list[str]:
    p = weights / weights.sum()
    idx = rng.choice(len(names), size=n, p=p)
    return [names[i] for i in idx.tolist()]


def _given_names(
    rng: np.random.Generator, cat: Catalogues, female: BoolArray, child_generation: BoolArray
) -> list[str]:
    """First names drawn from the right sex and generation's frequency table."""
    out: list[str] = [""] * len(female)
    for is_female, table in ((True, cat.female_names), (False, cat.male_names)):
        names = list(table)
        for gen in (False, True):
            mask = (female == is_female) & (child_generation == gen)
            weights = np.array([table[n][1 if gen else 0] for n in names], dtype=float)
            for i, name in zip(
                np.nonzero(mask)[0].tolist(),
                _pick(rng, names, weights, int(mask.sum())),
                strict=True,
            ):
                out[i] = name
    return out


def _address(
    ward: IntArray, street: IntArray, number: IntArray, flat: IntArray, cat: Catalogues
) -> tuple[list[str], list[str]]:
    """Deterministic UK-shaped address lines and postcodes from ward, street and number."""
    names, suffixes = cat.street_names, cat.street_suffixes
    lines, postcodes = [], []
    for w, s, n, f in zip(
        ward.tolist(), street.tolist(), number.tolist(), flat.tolist(), strict=True
    ):
        street_name = (
            f"{names[(w * 17 + s * 31) % len(names)]} {suffixes[(w * 5 + s * 7) % len(suffixes)]}"
        )
        line = f"{n} {street_name}" if f == 0 else f"Flat {f}, {n} {street_name}"
        block = n // 40
        sector = 1 + (s * 7 + block) % 9
        unit = UNIT_LETTERS[(s * 13 + block * 5) % 20] + UNIT_LETTERS[(s * 3 + block * 11 + w) % 20]
        lines.append(line)
        postcodes.append(f"{cat.postcode_area}{cat.wards[w].district} {sector}{unit}")
    return lines, postcodes


STREETS_PER_WARD = 110  # distinct (street name, suffix) pairs the catalogue yields per ward
NUMBERS_PER_STREET = 300


class AddressBook:
    """Hands out each address in a ward once, so no two households share one by chance.

    Drawing addresses independently at random made unrelated households collide (at 100,000
    households about one address in five was shared), which no real county does and which
    wrongly joins families in linkage. Each ward's slots (street x house number) are taken in
    a seeded random order; past the last slot, numbered flats are added.
    """

    def __init__(self, seed: int, n_wards: int) -> None:
        self._rng = np.random.default_rng([seed, 7_000_001])
        self._orders: dict[int, IntArray] = {}
        self._taken = np.zeros(n_wards, dtype=np.int64)

    def _order(self, ward: int) -> IntArray:
        if ward not in self._orders:
            self._orders[ward] = self._rng.permutation(STREETS_PER_WARD * NUMBERS_PER_STREET)
        return self._orders[ward]

    def take(self, ward: IntArray) -> tuple[IntArray, IntArray, IntArray]:
        """(street, house number, overflow flat or 0) for each household, in order."""
        street = np.zeros(len(ward), dtype=np.int64)
        number = np.zeros(len(ward), dtype=np.int64)
        overflow = np.zeros(len(ward), dtype=np.int64)
        for w in np.unique(ward).tolist():
            where = np.nonzero(ward == w)[0]
            order = self._order(w)
            picks = self._taken[w] + np.arange(len(where))
            self._taken[w] += len(where)
            slot = order[picks % len(order)]
            street[where] = slot % STREETS_PER_WARD
            number[where] = 1 + slot // STREETS_PER_WARD
            cycle = picks // len(order)
            overflow[where] = np.where(cycle > 0, 100 + cycle, 0)
        return street, number, overflow


def _unique_addresses(
    rng: np.random.Generator,
    book: AddressBook,
    ward: IntArray,
    urban: BoolArray,
    cat: Catalogues,
) -> tuple[list[str], list[str]]:
    n = len(ward)
    street, number, overflow = book.take(ward)
    flat = np.where(urban & (rng.random(n) < 0.12), rng.integers(1, 12, n), 0)
    return _address(ward, street, number, np.where(overflow > 0, overflow, flat), cat)


def generate_population(
    rng: np.random.Generator,
    params: CountyParameters,
    cat: Catalogues,
    *,
    household_offset: int,
    person_offset: int,
    child_offset: int,
    n_households: int,
    addresses: AddressBook,
) -> Population:
    """Generate one chunk of households with global ids starting at the given offsets."""
    h = n_households
    as_of = day_number(params.as_of)
    start = day_number(params.window_start)
    ward_weights = np.array([w.weight for w in cat.wards])
    ward = rng.choice(len(cat.wards), size=h, p=ward_weights / ward_weights.sum())
    decile = np.array([w.deprivation_decile for w in cat.wards])[ward]
    rural = np.array([w.rural for w in cat.wards])[ward]
    deprivation = (10 - decile) / 9.0  # 1 = most deprived

    base = np.array([0.28, 0.25, 0.22, 0.09, 0.12, 0.04])
    probs = np.tile(base, (h, 1))
    probs[:, 3] += 0.07 * deprivation
    probs[:, 2] += 0.03 * deprivation
    probs /= probs.sum(axis=1, keepdims=True)
    htype = (rng.random(h)[:, None] > probs.cumsum(axis=1)).sum(axis=1).clip(0, 5)
    n_adults = N_ADULTS[htype]
    has_children = HAS_CHILDREN[htype]
    n_children = np.where(has_children, 1 + rng.poisson(0.7 + 0.5 * deprivation), 0).clip(0, 6)

    # family-level ages (in years) for the youngest child and the adults
    youngest = rng.uniform(0, 15, h)
    gaps = np.where(rng.random((h, 6)) < 0.03, 0.0, rng.uniform(1.2, 4.5, (h, 6)))  # twins
    gaps[:, 0] = 0.0
    child_ages = (youngest[:, None] + gaps.cumsum(axis=1)).clip(0, 17.9)
    oldest = np.take_along_axis(child_ages, (n_children - 1).clip(0)[:, None], axis=1)[:, 0]
    mother_age = np.where(has_children, oldest + rng.uniform(18, 38, h), rng.uniform(18, 80, h))
    mother_age = np.where(htype == 4, rng.uniform(60, 88, h), mother_age).clip(18, 90)

    expectant = (
        (htype != 0) & (htype != 4) & (mother_age < 42) & (rng.random(h) < params.expectant_rate)
    )
    moved = rng.random(h) < params.move_rate
    move_day = np.where(moved, rng.integers(start, as_of, h), -1)

    urban = ~rural
    address, postcode = _unique_addresses(rng, addresses, ward, urban, cat)
    # previous address: usually in the same locality, sometimes elsewhere in the county
    prev_ward = np.where(rng.random(h) < 0.7, ward, rng.choice(len(cat.wards), size=h))
    prev_address, prev_postcode = _unique_addresses(rng, addresses, prev_ward, urban, cat)

    family_idx = np.arange(household_offset, household_offset + h)
    families = pl.DataFrame(
        {
            "family_id": [f"TF{i:07d}" for i in family_idx.tolist()],
            "household_id": [f"TH{i:07d}" for i in family_idx.tolist()],
            "locality": [cat.wards[w].locality for w in ward.tolist()],
            "ward": [cat.wards[w].name for w in ward.tolist()],
            "deprivation_decile": decile.astype(np.int8),
            "rural": rural,
            "household_type": htype.astype(np.int8),
            "n_adults": n_adults.astype(np.int8),
            "n_children": n_children.astype(np.int8),
            "expectant": expectant,
            "address_line": address,
            "postcode": postcode,
            "moved_on_day": move_day,
            "previous_address_line": [
                a if m else None for a, m in zip(prev_address, moved.tolist(), strict=True)
            ],
            "previous_postcode": [
                p if m else None for p, m in zip(prev_postcode, moved.tolist(), strict=True)
            ],
            "deprivation": deprivation,
        }
    )
    persons = _people(
        rng,
        params,
        cat,
        htype=htype,
        n_adults=n_adults,
        n_children=n_children,
        child_ages=child_ages,
        mother_age=mother_age,
        family_ids=families["family_id"].to_list(),
        person_offset=person_offset,
        child_offset=child_offset,
    )
    return Population(families=families, persons=persons)


def _people(
    rng: np.random.Generator,
    params: CountyParameters,
    cat: Catalogues,
    *,
    htype: IntArray,
    n_adults: IntArray,
    n_children: IntArray,
    child_ages: FloatArray,
    mother_age: FloatArray,
    family_ids: list[str],
    person_offset: int,
    child_offset: int,
) -> pl.DataFrame:
    h = len(htype)
    as_of = day_number(params.as_of)
    start = day_number(params.window_start)
    size = n_adults + n_children
    fam = np.repeat(np.arange(h), size)
    pos = np.arange(len(fam)) - np.repeat(np.cumsum(size) - size, size)  # position in family
    is_child = pos >= n_adults[fam]
    child_rank = (pos - n_adults[fam]).clip(0, 5)
    n = len(fam)

    # ages: adult 0 is the mother/lead carer, adult 1 the partner, adult 2 a grandparent
    age = np.where(
        is_child,
        child_ages[fam, child_rank],
        np.where(
            pos == 0,
            mother_age[fam],
            np.where(
                pos == 1,
                mother_age[fam] + rng.normal(2, 4, n),
                mother_age[fam] + rng.uniform(20, 30, n),
            ),
        ),
    ).clip(0, 99)
    age = np.where(is_child, age, np.maximum(age, 18.0))  # every adult is an adult
    # twins share a birthday: a zero gap gives the same age, so reuse the sibling's day offset
    birth_fraction = rng.uniform(0, 365, n)
    same_as_prev = np.zeros(n, dtype=bool)
    same_as_prev[1:] = is_child[1:] & is_child[:-1] & (fam[1:] == fam[:-1]) & (age[1:] == age[:-1])
    for i in np.nonzero(same_as_prev)[0].tolist():
        birth_fraction[i] = birth_fraction[i - 1]
    dob = (as_of - np.floor(age * 365.25) - birth_fraction).astype(np.int64)
    age_years = (as_of - dob) / 365.25

    with_children = HAS_CHILDREN[htype][fam]
    lone_female = rng.random(n) < 0.88
    female = np.where(
        is_child,
        rng.random(n) < 0.49,
        np.where(
            pos == 0,
            np.where(
                with_children, np.where(htype[fam] == 3, lone_female, True), rng.random(n) < 0.5
            ),
            np.where(
                pos == 1, np.where(htype[fam] == 1, rng.random(n) < 0.1, False), rng.random(n) < 0.6
            ),
        ),
    )

    surnames = list(cat.surnames)
    weights = np.array(list(cat.surnames.values()))
    family_surname = np.array(_pick(rng, surnames, weights, h), dtype=object)
    own_surname = np.array(_pick(rng, surnames, weights, n), dtype=object)
    mother_keeps_own = rng.random(h) < np.where(htype == 3, 0.55, 0.3)
    children_double = rng.random(h) < 0.03
    surname = family_surname[fam].copy()
    mother_own = (pos == 0) & mother_keeps_own[fam]
    surname[mother_own] = own_surname[mother_own]
    grandparent = (pos == 2) & ~is_child  # in a one- or two-adult family, position 2 is a child
    surname[grandparent] = own_surname[grandparent]
    double = is_child & children_double[fam] & mother_keeps_own[fam]
    mothers_surname = own_surname[(np.cumsum(size) - size)[fam]]  # position 0 is the mother
    surname[double] = [
        f"{a}-{b}"
        for a, b in zip(
            mothers_surname[double].tolist(), family_surname[fam][double].tolist(), strict=True
        )
    ]

    child_generation = dob >= day_number(date(2005, 1, 1))
    first = _given_names(rng, cat, female, child_generation)
    has_middle = rng.random(n) < 0.65
    middle_pool = _given_names(rng, cat, female, child_generation)
    middle = [
        m if hm and m != f else None
        for m, f, hm in zip(middle_pool, first, has_middle.tolist(), strict=True)
    ]

    # surname changes (marriage or divorce) among adult women in the window
    changed = (~is_child) & female & (rng.random(n) < params.name_change_rate)
    change_day = np.where(changed, rng.integers(start, as_of, n), -1)
    previous = np.array(_pick(rng, surnames, weights, n), dtype=object)
    previous_surname = [
        p if c else None for p, c in zip(previous.tolist(), changed.tolist(), strict=True)
    ]

    person_idx = np.arange(person_offset, person_offset + n)
    upn_holder = is_child & (age_years >= 4)
    child_idx = child_offset + np.cumsum(upn_holder) - 1
    entry_year = np.array(
        [(EPOCH.year + int(d // 365.25) + 4) for d in dob.tolist()], dtype=np.int64
    )
    upn_values = upns(child_idx[upn_holder], entry_year[upn_holder], params.seed)
    upn_col: list[str | None] = [None] * n
    for i, value in zip(np.nonzero(upn_holder)[0].tolist(), upn_values, strict=True):
        upn_col[i] = value

    return pl.DataFrame(
        {
            "person_id": [f"TP{i:08d}" for i in person_idx.tolist()],
            "family_id": [family_ids[f] for f in fam.tolist()],
            "family_pos": fam.astype(np.int64),
            "position": pos.astype(np.int8),
            "first_name": first,
            "middle_names": middle,
            "surname": surname.tolist(),
            "previous_surname": previous_surname,
            "surname_changed_day": change_day,
            "dob_day": dob,
            "sex": np.where(female, "F", "M"),
            "nhs_number": nhs_numbers(person_idx, params.seed),
            "upn": upn_col,
            "is_child": is_child,
            "age": age_years,
        },
        schema_overrides={
            "upn": pl.String,
            "middle_names": pl.String,
            "previous_surname": pl.String,
        },
    )


def upn_count(persons: pl.DataFrame) -> int:
    """How many UPNs a chunk used, so the next chunk continues the sequence."""
    return int(persons["upn"].is_not_null().sum())
