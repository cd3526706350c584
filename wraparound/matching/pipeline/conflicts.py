"""Keep two people apart when their records say they cannot be one person.

Pairwise scores are transitive only by accident. A police record with no date of birth
("Florence Ahmed", at the family's address) matches each of two sisters called Florence
well enough; joining both pairs would make the sisters one person. Clustering therefore
adds accepted pairs strongest first and refuses a join whose two sides already hold
contradicting facts: different NHS numbers, different pupil numbers, or dates of birth
that no recording slip explains, or a reviewer has already said that a record of one is
not a record of the other. Refused pairs go to clerical review unless a reviewer has
already ruled on those two people.

Dates of birth are compared generously, because the same person's date is mis-keyed in
known ways: day and month swapped, one component wrong (year, month or day), a digit
slipped or two adjacent digits transposed, or a day or two out. Dates that differ in a way
none of these explains (a mother and her daughter) contradict each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from wraparound.matching.pipeline.clusters import DisjointSet, PairKey

NEAR_DAYS = 3


def _one_edit_apart(a: str, b: str) -> bool:
    """One substitution or one adjacent transposition (same-length digit strings)."""
    differ = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(differ) == 1:
        return True
    return len(differ) == 2 and differ[1] == differ[0] + 1 and a[differ[0]] == b[differ[1]]


def _digits(day: date) -> str:
    """The date as the eight digits a person types (YYYYMMDD): a slip can cross from the
    month into the day."""
    return day.isoformat().replace("-", "")


def dates_of_birth_compatible(left: date, right: date) -> bool:
    """Could ``left`` and ``right`` be one person's date of birth, one of them mis-keyed?"""
    if left == right:
        return True
    same = (left.year == right.year, left.month == right.month, left.day == right.day)
    if sum(same) >= 2:
        return True
    if left.year == right.year and (left.day, left.month) == (right.month, right.day):
        return True
    if abs((left - right).days) <= NEAR_DAYS:
        return True
    return _one_edit_apart(_digits(left), _digits(right))


@dataclass
class Identity:
    """What a growing cluster is known to be: identifiers and dates of birth seen so far."""

    nhs_numbers: set[str] = field(default_factory=set)
    upns: set[str] = field(default_factory=set)
    dates_of_birth: set[date] = field(default_factory=set)

    def contradicts(self, other: Identity, *, dates: bool = True) -> bool:
        """Different NHS numbers or UPNs; with ``dates``, also incompatible birthdays."""
        for mine, theirs in ((self.nhs_numbers, other.nhs_numbers), (self.upns, other.upns)):
            if mine and theirs and mine.isdisjoint(theirs):
                return True
        if dates and self.dates_of_birth and other.dates_of_birth:
            return not any(
                dates_of_birth_compatible(a, b)
                for a in self.dates_of_birth
                for b in other.dates_of_birth
            )
        return False

    def absorb(self, other: Identity) -> None:
        self.nhs_numbers |= other.nhs_numbers
        self.upns |= other.upns
        self.dates_of_birth |= other.dates_of_birth


def _real_date(text: str | None) -> date | None:
    """``text`` as a date; None for a date of birth kept as text because it is no real
    date (30 February): it is evidence for the model, but too unsure to forbid a join."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def identities(frame: pl.DataFrame, keys: pl.Series | None = None) -> dict[str, Identity]:
    """Each record's identity from its standardised identifiers and date of birth
    (of the records ``keys`` names, when given)."""
    if keys is not None:
        wanted = keys.cast(pl.Utf8).alias("record_key").to_frame()
        frame = frame.join(wanted, on="record_key", how="semi")
    # ISO dates parse column-wise; any other text goes through ``_real_date`` one by one
    rows = frame.select(
        "record_key",
        "nhs_number_std",
        "upn_std",
        pl.col("dob_text").str.to_date("%Y-%m-%d", strict=False).alias("dob"),
        "dob_text",
    ).rows()
    return {
        key: Identity(
            nhs_numbers={nhs} if nhs else set(),
            upns={upn} if upn else set(),
            dates_of_birth={real} if (real := dob or _real_date(text)) else set(),
        )
        for key, nhs, upn, dob, text in rows
    }


class _ConstrainedSet(DisjointSet):
    """Union-find whose roots carry the identity and the members of their whole cluster."""

    def __init__(
        self, known: dict[str, Identity], keys: Iterable[str], cannot_link: Iterable[PairKey]
    ) -> None:
        super().__init__(keys)
        self.identity = {key: known.get(key, Identity()) for key in self.parent}
        self.members = {key: [key] for key in self.parent}
        self.forbidden: dict[str, set[str]] = {}
        for left, right in cannot_link:
            self.forbidden.setdefault(left, set()).add(right)
            self.forbidden.setdefault(right, set()).add(left)

    def _ruled_apart(self, a: str, b: str) -> bool:
        """Has a reviewer said some record of cluster ``a`` is not some record of ``b``?"""
        if not self.forbidden:
            return False
        small, other = (a, b) if len(self.members[a]) <= len(self.members[b]) else (b, a)
        return any(
            partner in self.parent and self.find(partner) == other
            for member in self.members[small]
            for partner in self.forbidden.get(member, ())
        )

    def join(self, left: str, right: str, *, check: bool, dates: bool = True) -> bool:
        """Join the clusters of ``left`` and ``right``; False when refused as contradictory.

        ``dates=False`` skips the date-of-birth check: for a pair whose own dates the
        model weighed, disagreeing, and still found a match on the rest of the evidence.
        """
        a, b = self.find(left), self.find(right)
        if a == b:
            return True
        if check and (
            self.identity[a].contradicts(self.identity[b], dates=dates) or self._ruled_apart(a, b)
        ):
            return False
        if b < a:  # the smaller key becomes the root so cluster ids are deterministic
            a, b = b, a
        self.parent[b] = a
        self.identity[a].absorb(self.identity.pop(b))
        self.members[a].extend(self.members.pop(b))
        return True


def cluster_without_contradictions(
    record_keys: pl.Series,
    scored_pairs: pl.DataFrame,
    known: dict[str, Identity],
    *,
    trusted_pairs: pl.DataFrame | None = None,
    forced_links: Iterable[PairKey] = (),
    cannot_link: Iterable[PairKey] = (),
    dates_weighed: Iterable[PairKey] = (),
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(clusters, refused)``: ``record_key, cluster_id`` and the pairs left unjoined.

    ``dates_weighed`` are pairs whose own dates of birth disagree outright and that the
    model still matched on the rest of their evidence (e.g. a shared identifier): their
    join is checked for identifiers only. A date-of-birth contradiction that arises
    through a third record (a record with no date of birth matching two sisters) is
    still refused.

    ``scored_pairs`` (``record_key_l, record_key_r, match_probability``) are joined
    strongest first, each only if it contradicts nothing already joined. Reviewers' forced
    links and ``trusted_pairs`` (the existing index, in an incremental run) are joined
    first and unconditionally: a person decided them. ``cannot_link`` pairs (reviewers'
    "different people") keep their two records' clusters apart however other pairs chain.
    """
    # Only records some pair names can join anything; the rest stay people of one record.
    named = [scored_pairs, *([] if trusted_pairs is None else [trusted_pairs])]
    involved = {key for pair in forced_links for key in pair}
    for pairs in named:
        involved.update(pairs["record_key_l"].to_list(), pairs["record_key_r"].to_list())
    keys = record_keys.to_list()
    components = _ConstrainedSet(known, [k for k in keys if k in involved], cannot_link)
    for left, right in forced_links:
        if left in components.parent and right in components.parent:
            components.join(left, right, check=False)
    if trusted_pairs is not None:
        for left, right in trusted_pairs.select("record_key_l", "record_key_r").rows():
            components.join(left, right, check=False)
    ordered = scored_pairs.sort(
        "match_probability", "record_key_l", "record_key_r", descending=[True, False, False]
    )
    refused: list[tuple[str, str]] = []
    weighed = set(dates_weighed)
    for left, right in ordered.select("record_key_l", "record_key_r").rows():
        dates = (left, right) not in weighed
        if not components.join(left, right, check=True, dates=dates):
            refused.append((left, right))
    parent = components.parent
    clusters = pl.DataFrame(
        {
            "record_key": keys,
            "cluster_id": [components.find(k) if k in parent else k for k in keys],
        },
        schema={"record_key": pl.Utf8, "cluster_id": pl.Utf8},
    )
    refused_frame = pl.DataFrame(
        refused, schema={"record_key_l": pl.Utf8, "record_key_r": pl.Utf8}, orient="row"
    )
    return clusters, refused_frame
