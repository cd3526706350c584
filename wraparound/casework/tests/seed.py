"""Casework behind the access-test URLs: a case for F-ACCESS01 with a team, a note, a plan
action, an assessment and a pending step up, carrying values no access-test user may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from wraparound.casework import plan_services, services, transfers
from wraparound.casework.plan_services import AreaAnswers
from wraparound.casework.tests.casework_builders import open_after_referral
from wraparound.core.models import AgencyKind, Role
from wraparound.core.tests.factories import AgencyFactory, UserFactory


def seed(context: dict[str, Any]) -> None:
    early_help = AgencyFactory(
        slug="seed-early-help", name="Seed Early Help", kind=AgencyKind.EARLY_HELP
    )
    social_care = AgencyFactory(
        slug="seed-social-care", name="Seed Social Care", kind=AgencyKind.SOCIAL_CARE
    )
    manager = UserFactory(username="seed-eh-manager", agency=early_help, role=Role.TEAM_MANAGER)
    lead = UserFactory(username="seed-eh-lead", agency=early_help, role=Role.PRACTITIONER)
    case = open_after_referral(by=manager, family_public_id="F-ACCESS01", lead=lead)
    member = services.add_member(by=lead, case=case, user=manager, role="Supervisor")
    note = services.add_note(by=lead, case=case, category="early_help", body="Sentinelcasenote")
    assessment = plan_services.start_assessment(by=lead, case=case)
    plan_services.save_assessment(
        by=lead,
        assessment=assessment,
        expected_version=assessment.version,
        areas={"health": AreaAnswers(worries="Sentinelworry", is_need=True)},
        child_words="Sentinelchildwords",
        parents_words="",
    )
    action = plan_services.add_action(
        by=lead,
        case=case,
        outcome="health",
        description="Sentinelplanaction rebook the missed health visit",
        owner=lead,
        due_on=timezone.localdate() - dt.timedelta(days=2),
    )
    transfer = transfers.request_transfer(
        by=lead, case=case, direction="step_up", to_agency=social_care, reason="Sentineltransfer"
    )
    context["casework"] = {
        "case": case,
        "member": member,
        "note": note,
        "action": action,
        "transfer": transfer,
    }
    _seed_triage(context, early_help)
    context.setdefault("personal_values", []).extend(
        [
            "Sentineltriagename",
            "F-TRIAGE01",
            "Sentinelcasenote",
            "Sentinelworry",
            "Sentinelchildwords",
            "Sentinelplanaction",
            "Sentineltransfer",
        ]
    )


def _seed_triage(context: dict[str, Any], agency: Any) -> None:
    """A family on the triage queue (at risk, not supported in the seeded needs run) whose
    name and id no access-test user may see: they have no agreement listing triage."""
    from wraparound.matching.models import Family, FamilyMembership, Person, PersonRecordLink
    from wraparound.needs.models import FamilyNeedsProfile
    from wraparound.records.models import Extract, SourceRecord

    extract = Extract.objects.create(
        agency=agency,
        dataset_kind="early-help",
        file_name="seed-triage.csv",
        sha256="7" * 64,
        file_format="csv",
        received_at=timezone.now(),
    )
    record = SourceRecord.objects.create(
        extract=extract,
        row_number=1,
        record_key="seed-early-help:early-help:T1",
        source_id="T1",
        first_name="Sentineltriagename",
        surname="Triage",
    )
    family = Family.objects.create(public_id="F-TRIAGE01")
    person = Person.objects.create(public_id="P-TRIAGE01")
    FamilyMembership.objects.create(family=family, person=person, role="adult")
    PersonRecordLink.objects.create(
        person=person, record_key=record.record_key, match_probability=0.99, why={}
    )
    FamilyNeedsProfile.objects.create(
        run=context["needs_run"],
        family_public_id="F-TRIAGE01",
        outcome_count=3,
        max_level=3,
        at_risk=True,
        supported=False,
    )
