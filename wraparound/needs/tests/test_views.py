"""Who sees what of the targeting picture, and that every release is audited."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from wraparound.core.models import AgencyKind, Role
from wraparound.core.tests.factories import signed_in
from wraparound.needs.indicators import load_catalogue
from wraparound.needs.models import NeedsRun
from wraparound.needs.pipeline import identify_needs
from wraparound.needs.services import record_needs_run
from wraparound.needs.tests.frames import events, membership
from wraparound.sharing.models import AuditEntry
from wraparound.sharing.tests import factories as sharing

pytestmark = pytest.mark.django_db
REF = dt.date(2026, 3, 31)


def _store_run(ref: dt.date = REF) -> NeedsRun:
    """Two families at risk and not supported (domestic abuse, crime, housing), one quiet."""
    rows = []
    for family, adult in (("F-AAA00001", "P-A1"), ("F-AAA00002", "P-A2")):
        rows += [
            (family, adult, "domestic_abuse_incident", "2026-01-10", "hartshire-police"),
            (family, adult, "offence", "2026-01-11", "hartshire-police"),
            (family, adult, "notice_seeking_possession", "2026-01-12", "hartshire-homes"),
        ]
    mem = membership(
        ("F-AAA00001", "P-A1", False, "Harbridge"),
        ("F-AAA00002", "P-A2", False, "Kingsford"),
        ("F-AAA00003", "P-A3", False, "Kingsford"),
        agencies=("hartshire-police", "hartshire-homes"),
    )
    catalogue = load_catalogue()
    result = identify_needs(events(*rows), mem, reference_date=ref, catalogue=catalogue)
    return record_needs_run(result=result, catalogue=catalogue, membership_source="test")


@pytest.fixture
def partnership() -> dict[str, Any]:
    police = sharing.agency(AgencyKind.POLICE, slug="hartshire-police")
    homes = sharing.agency(AgencyKind.HOUSING, slug="hartshire-homes")
    council = sharing.agency(AgencyKind.EARLY_HELP, slug="hcc-early-help")
    _store_run()
    return {"police": police, "homes": homes, "council": council}


def _planning_agreement(*agencies: Any) -> None:
    sharing.agreement(parties=agencies, shares=[], purposes=("service_planning_aggregate",))


def test_analyst_with_a_service_planning_agreement_sees_the_matrix_and_the_view_is_audited(
    partnership: dict[str, Any],
) -> None:
    analyst = sharing.worker(partnership["council"], Role.DATA_ANALYST)
    _planning_agreement(partnership["council"], partnership["police"])
    page = signed_in(analyst).get(reverse("needs:targeting")).content.decode()
    assert "Families by locality" in page
    assert "&lt;5" in page
    assert "<svg" in page
    assert "F-AAA0000" not in page
    entry = AuditEntry.objects.get(actor_username=analyst.username)
    assert (entry.action, entry.outcome, entry.purpose) == (
        "view",
        "permit",
        "service_planning_aggregate",
    )


def test_analyst_without_an_agreement_is_refused_and_the_refusal_is_audited(
    partnership: dict[str, Any],
) -> None:
    analyst = sharing.worker(partnership["council"], Role.DATA_ANALYST)
    page = signed_in(analyst).get(reverse("needs:targeting")).content.decode()
    assert "You cannot see this report" in page
    assert "Families by locality" not in page
    assert AuditEntry.objects.get(actor_username=analyst.username).outcome == "deny"


def test_csv_export_is_suppressed_and_audited_as_an_export(partnership: dict[str, Any]) -> None:
    manager = sharing.worker(partnership["council"], Role.TEAM_MANAGER)
    _planning_agreement(partnership["council"])
    response = signed_in(manager).get(reverse("needs:targeting-export", kwargs={"fmt": "csv"}))
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert body.splitlines()[0].startswith("table,group,at_risk_supported")
    assert "<5" in body
    assert "F-AAA" not in body
    entry = AuditEntry.objects.get(actor_username=manager.username)
    assert (entry.action, entry.outcome) == ("export", "permit")


def test_refused_export_sends_the_user_back_with_the_reason_and_is_audited(
    partnership: dict[str, Any],
) -> None:
    manager = sharing.worker(partnership["council"], Role.TEAM_MANAGER)
    response = signed_in(manager).get(reverse("needs:targeting-export", kwargs={"fmt": "json"}))
    assert response.status_code == 302
    entry = AuditEntry.objects.get(actor_username=manager.username)
    assert (entry.action, entry.outcome) == ("export", "deny")


def test_command_line_export_is_audited_as_the_named_user(partnership: dict[str, Any]) -> None:
    analyst = sharing.worker(partnership["council"], Role.DATA_ANALYST, username="analyst1")
    _planning_agreement(partnership["council"])
    out = StringIO()
    call_command("report", "targeting", "--format", "json", "--user", "analyst1", stdout=out)
    document = json.loads(out.getvalue())
    assert document["reference_date"] == "2026-03-31"
    assert document["suppression_threshold"] == 5
    assert {row["table"] for row in document["rows"]} == {"locality", "agency", "quarter"}
    assert AuditEntry.objects.get(actor_id=analyst.pk).action == "export"


def test_command_line_export_without_an_agreement_fails_and_is_audited(
    partnership: dict[str, Any],
) -> None:
    analyst = sharing.worker(partnership["council"], Role.DATA_ANALYST, username="analyst2")
    with pytest.raises(CommandError, match="No approved agreement"):
        call_command("report", "targeting", "--user", "analyst2", stdout=StringIO())
    assert AuditEntry.objects.get(actor_id=analyst.pk).outcome == "deny"


def test_practitioner_without_permission_sees_no_family_in_the_list(
    partnership: dict[str, Any],
) -> None:
    practitioner = sharing.worker(partnership["police"], Role.PRACTITIONER)
    page = signed_in(practitioner).get(reverse("needs:at-risk")).content.decode()
    assert "F-AAA0000" not in page
    assert "No families to show" in page


def test_practitioner_sees_their_family_with_only_the_needs_whose_evidence_is_shared(
    partnership: dict[str, Any],
) -> None:
    practitioner = sharing.worker(partnership["police"], Role.PRACTITIONER)
    sharing.relationship(practitioner, "F-AAA00001")
    page = signed_in(practitioner).get(reverse("needs:at-risk")).content.decode()
    assert "F-AAA00001" in page
    assert "F-AAA00002" not in page
    assert "Safe from domestic abuse" in page  # police's own evidence
    assert "Secure housing" not in page  # housing shares nothing with the police here
    assert "1 further need not shown" in page
    assert AuditEntry.objects.filter(
        actor_id=practitioner.pk, family_public_id="F-AAA00001"
    ).exists()


def test_team_manager_sees_counts_by_locality_and_never_a_family(
    partnership: dict[str, Any],
) -> None:
    manager = sharing.worker(partnership["police"], Role.TEAM_MANAGER)
    colleague = sharing.worker(partnership["police"], Role.PRACTITIONER)
    sharing.relationship(colleague, "F-AAA00001")
    _planning_agreement(partnership["police"])
    page = signed_in(manager).get(reverse("needs:at-risk")).content.decode()
    assert "F-AAA0000" not in page
    assert "Harbridge" in page
    assert "not who they are" in page


def test_rerunning_needs_for_a_date_replaces_that_run_and_keeps_other_dates(
    partnership: dict[str, Any],
) -> None:
    _store_run(REF)
    _store_run(dt.date(2025, 12, 31))
    assert NeedsRun.objects.filter(reference_date=REF).count() == 1
    assert NeedsRun.objects.count() == 2


def test_stored_flags_and_profiles_keep_their_evidence_and_levels(
    partnership: dict[str, Any],
) -> None:
    run = NeedsRun.objects.get(reference_date=REF)
    profile = run.profiles.get(family_public_id="F-AAA00001")
    assert profile.outcome_levels == {
        "crime_prevention": 3,
        "domestic_abuse": 3,
        "secure_housing": 3,
    }
    assert profile.outcomes == ["crime_prevention", "domestic_abuse", "secure_housing"]
    assert profile.at_risk
    assert not profile.supported
    assert profile.agencies == ["hartshire-homes", "hartshire-police"]
    flag = run.flag_rows.get(family_public_id="F-AAA00001", indicator_key="offence_or_disposal")
    assert flag.agencies == ["hartshire-police"]
    assert flag.evidence[0]["agency_slug"] == "hartshire-police"
    assert flag.evidence[0]["kind"] == "offence"
    assert flag.evidence[0]["event_date"] == "2026-01-11"


def test_practitioner_can_narrow_the_list_to_one_area(partnership: dict[str, Any]) -> None:
    practitioner = sharing.worker(partnership["police"], Role.PRACTITIONER)
    sharing.relationship(practitioner, "F-AAA00001")
    sharing.relationship(practitioner, "F-AAA00002")
    client = signed_in(practitioner)
    everywhere = client.get(reverse("needs:at-risk")).content.decode()
    kingsford = client.get(reverse("needs:at-risk"), {"locality": "Kingsford"}).content.decode()
    assert "F-AAA00001" in everywhere
    assert "F-AAA00002" in everywhere
    assert "F-AAA00001" not in kingsford
    assert "F-AAA00002" in kingsford
