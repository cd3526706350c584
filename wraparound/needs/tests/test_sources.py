"""Building the pipeline's membership table from linkage results, and the command's errors."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import polars as pl
import pytest
from django.core.management import CommandError, call_command

from wraparound.needs import bench as benchmark
from wraparound.needs.models import FamilyNeedsProfile, NeedFlag, NeedsRun
from wraparound.needs.sources import membership_from_links


def _records(*rows: tuple[str, str | None, str | None]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"record_key": k, "dob": dt.date.fromisoformat(d) if d else None, "postcode": p}
            for k, d, p in rows
        ],
        schema={"record_key": pl.String, "dob": pl.Date, "postcode": pl.String},
    )


@pytest.mark.pipeline
def test_membership_takes_roles_dates_of_birth_and_the_family_s_most_common_locality() -> None:
    records = _records(
        ("a:x:1", "1985-01-01", "YH1 2AB"),  # Harbridge
        ("b:y:1", "1985-01-01", "YH1 9ZZ"),  # Harbridge
        ("a:x:2", "2015-05-05", "YH7 1AA"),  # Kingsford
        ("a:x:3", None, None),
    )
    links = [
        ("a:x:1", "P-1", "F-1", "adult"),
        ("b:y:1", "P-1", "F-1", "adult"),
        ("a:x:2", "P-2", "F-1", "child"),
        ("a:x:3", "P-3", "F-2", "child"),
    ]
    membership = membership_from_links(links, records).sort("record_key")
    assert membership.columns == [
        "record_key",
        "person_public_id",
        "family_public_id",
        "is_child",
        "dob",
        "locality",
    ]
    assert membership["is_child"].to_list() == [False, True, True, False]
    assert membership.filter(pl.col("family_public_id") == "F-1")[
        "locality"
    ].unique().to_list() == ["Harbridge"]
    assert membership.filter(pl.col("family_public_id") == "F-2")["locality"].to_list() == [None]


@pytest.mark.django_db
def test_needs_command_without_linked_families_says_what_to_run_first() -> None:
    with pytest.raises(CommandError, match="link"):
        call_command("needs", stdout=StringIO())


@pytest.mark.django_db
def test_report_command_names_an_unknown_user() -> None:
    with pytest.raises(CommandError, match="No active user 'nobody'"):
        call_command("report", "targeting", "--user", "nobody", stdout=StringIO())


@pytest.mark.slow
@pytest.mark.django_db
def test_needs_command_profiles_every_linked_family_from_imported_records(tmp_path: Path) -> None:
    from wraparound.matching.models import Family, FamilyMembership, Person, PersonRecordLink
    from wraparound.records.demo import load_demo_county

    load_demo_county(households=800, seed=5, workdir=tmp_path)
    truth = benchmark.truth_membership(tmp_path)  # stands in for `wraparound link` here
    people = {
        p: Person.objects.create(public_id=f"P-{p}") for p in truth["person_public_id"].unique()
    }
    families = {
        f: Family.objects.create(public_id=f"F-{f}") for f in truth["family_public_id"].unique()
    }
    roles = truth.group_by("person_public_id", "family_public_id").agg(pl.col("is_child").first())
    for person, family, is_child in roles.iter_rows():
        FamilyMembership.objects.create(
            family=families[family], person=people[person], role="child" if is_child else "adult"
        )
    for key, person in truth.select("record_key", "person_public_id").iter_rows():
        PersonRecordLink.objects.create(person=people[person], record_key=key)

    out = StringIO()
    call_command("needs", "--quarters", "2", stdout=out, stderr=StringIO())

    run = NeedsRun.objects.order_by("-reference_date").first()
    assert run is not None
    assert run.membership_source == "matching"
    assert NeedsRun.objects.count() == 2
    assert run.families == len(families)
    assert run.families_at_risk > 0
    assert run.flags > 0
    flag = NeedFlag.objects.filter(run=run).first()
    assert flag is not None
    assert flag.evidence
    assert flag.family_public_id.startswith("F-")
    assert {"event_key", "agency_slug", "kind", "event_date"} <= set(flag.evidence[0])
    assert FamilyNeedsProfile.objects.filter(run=run).exclude(locality="").exists()
    assert f"{run.families:,} families" in out.getvalue()
