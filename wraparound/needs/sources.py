"""Where the needs pipeline's inputs come from: the records app's events and matching's families.

Pipeline-only reads (contract C2/C3): these tables never reach a user; what users see is
filtered by the sharing policy in ``selectors``. Both functions import their providers lazily
so that a missing provider gives a clear, actionable error instead of an ImportError.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from wraparound.needs.pipeline import MEMBERSHIP_COLUMNS

MEMBERSHIP_SOURCE = "matching"
CHILD_ROLES = frozenset({"child"})


class NeedsSourceError(RuntimeError):
    """An input the needs pipeline reads is not available; the message says what to run first."""


def events_frame() -> pl.DataFrame:
    """The current events of every imported extract (records app, contract C2)."""
    try:
        from wraparound.records.selectors import events_frame as records_events_frame
    except ImportError as error:
        raise NeedsSourceError(
            "The records app does not provide events_frame() yet, so there are no events to "
            "identify needs from. Import agency extracts first."
        ) from error
    return records_events_frame()


def _localities(records: pl.DataFrame) -> pl.DataFrame:
    """record_key -> locality, from the record's postcode through the county's geography."""
    from wraparound.core.geography import load_geography

    geography = load_geography()
    postcodes = records.select("postcode").unique().drop_nulls()
    wards = [geography.ward_for_postcode(p) for p in postcodes["postcode"].to_list()]
    lookup = postcodes.with_columns(
        pl.Series("locality", [w.locality if w else None for w in wards], dtype=pl.String)
    )
    return records.join(lookup, on="postcode", how="left").select("record_key", "locality")


def family_locality(membership: pl.DataFrame) -> pl.DataFrame:
    """One locality per family: the most common among its members' records (ties: first name)."""
    counted = (
        membership.drop_nulls("locality")
        .group_by("family_public_id", "locality")
        .len()
        .sort(["family_public_id", "len", "locality"], descending=[False, True, False])
    )
    return (
        counted.group_by("family_public_id", maintain_order=True)
        .first()
        .select("family_public_id", "locality")
    )


def membership_from_links(
    links: Iterable[tuple[str, str, str, str]], records: pl.DataFrame
) -> pl.DataFrame:
    """Build the pipeline's membership table from (record_key, person, family, role) links.

    ``records`` is C2's person_records_frame (record_key, dob, postcode, ...). The family's
    locality is the most common locality of its members' record postcodes.
    """
    linked = pl.DataFrame(
        list(links),
        schema={
            "record_key": pl.String,
            "person_public_id": pl.String,
            "family_public_id": pl.String,
            "role": pl.String,
        },
        orient="row",
    )
    joined = linked.join(
        records.select("record_key", "dob", "postcode"), on="record_key", how="left"
    ).join(_localities(records.select("record_key", "postcode")), on="record_key", how="left")
    joined = joined.with_columns(pl.col("role").is_in(list(CHILD_ROLES)).alias("is_child"))
    per_family = family_locality(joined)
    return (
        joined.drop("locality")
        .join(per_family, on="family_public_id", how="left")
        .select(MEMBERSHIP_COLUMNS)
    )


def membership_frame() -> pl.DataFrame:
    """record_key -> person -> family for every linked record (matching app, contract C3).

    Assumes C3's models: ``PersonRecordLink(person, record_key)`` and
    ``FamilyMembership(family, person, role, valid_to)`` with ``public_id`` on Person and
    Family. Current memberships of people and families not retired (``valid_to``,
    ``retired_at`` empty): a profile describes the family as it
    is now; a person currently in two households counts in both.
    """
    try:
        from wraparound.matching.models import FamilyMembership, PersonRecordLink
        from wraparound.records.selectors import person_records_frame
    except ImportError as error:
        raise NeedsSourceError(
            "Family membership is not available: the matching app has no FamilyMembership / "
            "PersonRecordLink models yet, or the records app no person_records_frame(). Run "
            "the import and `wraparound link` first."
        ) from error
    families_of: dict[str, list[tuple[str, str]]] = {}
    current = FamilyMembership.objects.filter(
        valid_to__isnull=True, person__retired_at__isnull=True, family__retired_at__isnull=True
    )
    for person_id, family_id, role in current.values_list(
        "person__public_id", "family__public_id", "role"
    ).iterator(chunk_size=10_000):
        families_of.setdefault(person_id, []).append((family_id, role))
    links = (
        (record_key, person_id, family_id, role)
        for record_key, person_id in PersonRecordLink.objects.values_list(
            "record_key", "person__public_id"
        ).iterator(chunk_size=10_000)
        for family_id, role in families_of.get(person_id, [])
    )
    return membership_from_links(links, person_records_frame())
