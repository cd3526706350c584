"""Recording errors agencies really make: typos, nicknames, transposed dates, blanks.

Only the small selected share of values is touched in Python; selection is vectorised.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

KEYBOARD_NEIGHBOURS = {
    "a": "sq", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj",
    "i": "uo", "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o",
    "q": "w", "r": "et", "s": "ad", "t": "ry", "u": "yi", "v": "cb", "w": "qe", "x": "zc",
    "y": "tu", "z": "x",
}  # fmt: skip


def typo(value: str, rng: np.random.Generator) -> str:
    """One keying error: a neighbouring key, a dropped or doubled letter, or a transposition."""
    if len(value) < 3:
        return value
    i = int(rng.integers(1, len(value) - 1))
    kind = int(rng.integers(0, 4))
    ch = value[i]
    if kind == 0 and ch.lower() in KEYBOARD_NEIGHBOURS:
        options = KEYBOARD_NEIGHBOURS[ch.lower()]
        new = options[int(rng.integers(0, len(options)))]
        return value[:i] + (new.upper() if ch.isupper() else new) + value[i + 1 :]
    if kind == 1:
        return value[:i] + value[i + 1 :]
    if kind == 2:
        return value[:i] + ch + value[i:]
    return value[:i] + value[i + 1] + value[i] + value[i + 2 :]


def apply_typos(
    values: list[str | None], rate: float, rng: np.random.Generator
) -> list[str | None]:
    chosen = np.nonzero(rng.random(len(values)) < rate)[0].tolist()
    out = list(values)
    for i in chosen:
        v = out[i]
        if v:
            out[i] = typo(v, rng)
    return out


def apply_nicknames(
    values: list[str], rate: float, nicknames: dict[str, tuple[str, ...]], rng: np.random.Generator
) -> list[str]:
    chosen = np.nonzero(rng.random(len(values)) < rate)[0].tolist()
    out = list(values)
    for i in chosen:
        options = nicknames.get(out[i])
        if options:
            out[i] = options[int(rng.integers(0, len(options)))]
    return out


def dob_errors(
    days: npt.NDArray[np.int64], rate: float, rng: np.random.Generator
) -> npt.NDArray[np.int64]:
    """Day/month transposed where possible, otherwise a year or a day out."""
    from datetime import date, timedelta

    out = days.copy()
    epoch = date(1970, 1, 1)
    for i in np.nonzero(rng.random(len(days)) < rate)[0].tolist():
        d = epoch + timedelta(days=int(days[i]))
        if d.day <= 12 and d.day != d.month:
            wrong = d.replace(day=d.month, month=d.day)
        elif rng.random() < 0.5:
            wrong = d.replace(year=d.year + (1 if rng.random() < 0.5 else -1), day=min(d.day, 28))
        else:
            wrong = d + timedelta(days=1 if rng.random() < 0.5 else -1)
        out[i] = (wrong - epoch).days
    return out


def blank(values: list[str | None], rate: float, rng: np.random.Generator) -> list[str | None]:
    if rate <= 0:
        return values
    drop = rng.random(len(values)) < rate
    return [None if d else v for v, d in zip(values, drop.tolist(), strict=True)]
