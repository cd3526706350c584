"""A subject access request returns what casework and referrals wrote about the family.

Case notes (with amendments), assessments, plan actions and reviews, referrals and team
around the family membership, each answered for by the agency that controls it, and
redacted by reference like any other item.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from wraparound.casework import plan_services, services
from wraparound.casework.plan_services import AreaAnswers
from wraparound.casework.tests.casework_builders import Team, team_around_family
from wraparound.core.models import Role
from wraparound.referrals import services as referrals
from wraparound.referrals.rules import ReferralDraft
from wraparound.sharing import services as sharing_services
from wraparound.sharing.subject_access import compile_response
from wraparound.sharing.tests import factories as sharing

pytestmark = pytest.mark.django_db
MOTHER = "P-MOTHER01"


def _casework(team: Team) -> None:
    note = services.add_note(
        by=team.lead, case=team.case, category="early_help", body="Mum says the flat is damp"
    )
    services.amend_note(
        by=team.lead, note=note, body="Mum says the flat is damp and cold", reason="Added detail"
    )
    services.add_note(
        by=team.health_visitor, case=team.case, category="health", body="Weight check fine"
    )
    assessment = plan_services.start_assessment(by=team.lead, case=team.case)
    plan_services.save_assessment(
        by=team.lead, assessment=assessment, expected_version=assessment.version,
        areas={"health": AreaAnswers(worries="Missed visits", is_need=True)},
        child_words="I like nursery", parents_words="We are tired",
    )  # fmt: skip
    plan_services.add_action(
        by=team.lead, case=team.case, outcome="health",
        description="Book the missed health review this month", owner=team.health_visitor,
        due_on=timezone.localdate() + dt.timedelta(days=10),
    )  # fmt: skip
    plan_services.record_review(
        by=team.lead, case=team.case, held_on=timezone.localdate(),
        attendees="Lee Lead\nMother", decisions="Keep the plan",
        next_review_on=timezone.localdate() + dt.timedelta(days=40),
    )  # fmt: skip


def _response(officer):  # type: ignore[no-untyped-def]
    request = sharing_services.open_subject_access_request(
        by=officer,
        person_public_id=MOTHER,
        requester="Kelly Booth",
        received_on=timezone.localdate(),
    )
    return request, compile_response(user=officer, request=request)


def _sections(response) -> dict[str, list[tuple[str, ...]]]:  # type: ignore[no-untyped-def]
    own = next(a for a in response.agencies if a.own)
    return {s.title: [item.values for item, _ in s.rows] for s in own.sections}


def test_the_lead_agency_answers_for_its_notes_assessment_plan_and_team() -> None:
    team = team_around_family()
    _casework(team)
    officer = sharing.worker(team.family.early_help, role=Role.IG_OFFICER)

    _, response = _response(officer)
    sections = _sections(response)

    (note,) = sections["Case notes"]  # early help's own note; health's is health's to answer
    assert "Mum says the flat is damp" in note
    assert "Added detail" in note[-1]
    assert "damp and cold" in note[-1]
    (assessment,) = sections["Early help assessments"]
    assert "I like nursery" in assessment
    assert "Missed visits" in assessment[-1]
    (action,) = sections["Family plan actions"]
    assert "Book the missed health review this month" in action
    assert sections["Team around the family reviews"][0][3] == "Keep the plan"
    workers = {row[1] for row in sections["Team around the family"]}
    assert workers == {"Lee Lead"}
    assert "Hana Visitor" not in workers  # health answers for its own worker's membership
    flat = str(sections)
    assert "Weight check fine" not in flat


def test_another_agency_answers_for_its_own_casework_only() -> None:
    team = team_around_family()
    _casework(team)
    officer = sharing.worker(team.family.health, role=Role.IG_OFFICER)

    _, response = _response(officer)
    sections = _sections(response)

    assert [row[4] for row in sections["Case notes"]] == ["Weight check fine"]
    assert "Early help assessments" not in sections
    assert "Family plan actions" not in sections  # the plan is early help's record
    assert {row[1] for row in sections["Team around the family"]} == {"Hana Visitor"}
    assert all(a.agency != team.family.early_help for a in response.agencies)


def test_a_casework_item_can_be_redacted_like_any_other() -> None:
    team = team_around_family()
    _casework(team)
    officer = sharing.worker(team.family.early_help, role=Role.IG_OFFICER)
    request, response = _response(officer)
    own = next(a for a in response.agencies if a.own)
    note_ref = next(i.ref for s in own.sections if s.title == "Case notes" for i, _ in s.rows)

    sharing_services.redact_item(
        by=officer, request=request, item_ref=note_ref, reason="third_party", note="Neighbour"
    )

    again = compile_response(user=officer, request=request)
    rows = {i.ref: why for a in again.agencies for s in a.sections for i, why in s.rows}
    assert rows[note_ref] == "third_party"


def test_referrals_are_answered_for_by_the_sender_and_the_decision_by_the_receiver() -> None:
    team = team_around_family()
    sharing.agreement(
        parties=[team.family.early_help, team.family.health],
        shares=[(team.family.early_help, "early_help"), (team.family.early_help, "identity")],
        purposes=["early_help_coordination"],
    )
    referral = referrals.send_referral(
        by=team.lead,
        draft=ReferralDraft(
            family_public_id=team.family.family_public_id,
            to_agency_id=team.family.health.pk,
            reason="Mother asks for help with the baby's feeding",
            needs=["health"],
            urgency="standard",
            consent_basis="given",
            consent_given_by="Mother",
            consent_method="in_person",
            shared_categories=["identity", "early_help"],
            purpose="early_help_coordination",
        ),
    )
    referrals.decline_referral(
        by=team.health_visitor, referral=referral, reason_code=_decline_code(),
        signpost="The infant feeding team at the children's centre",
    )  # fmt: skip
    sender_ig = sharing.worker(team.family.early_help, role=Role.IG_OFFICER)
    receiver_ig = sharing.worker(team.family.health, role=Role.IG_OFFICER, username="hig")

    sent = _sections(_response(sender_ig)[1])
    decided = _sections(_response(receiver_ig)[1])

    assert "Mother asks for help with the baby's feeding" in sent["Referrals"][0]
    assert "Referral decisions" not in sent
    assert "The infant feeding team at the children's centre" in decided["Referral decisions"][0]
    assert "Referrals" not in decided


def _decline_code() -> str:
    from wraparound.referrals.catalogues import reasons

    return next(iter(reasons().decline))
