"""Demo casework in every state, so each role's tour has something to do.

Deterministic: the same families (the early help practitioner's caseload, in id order) get
the same cases every time, with dates relative to today. Made through the services, as a
person would, so the audit trail and the sharing relationships are real.

- an open case with a team (health visitor, school, a police officer whose note the
  early help agreement does not share), a signed-off assessment, a plan with an
  overdue action owned by health, a done action, a review, and notes in three categories;
- an open case whose assessment is running past its 45 working days, plan incomplete;
- an open case with a step up to children's social care waiting for an answer;
- a closed case (needs met) and a closed-then-reopened case (history kept).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from wraparound.casework import plan_services, services, transfers
from wraparound.casework.models import ActionStatus, FamilyCase
from wraparound.casework.plan_services import AreaAnswers
from wraparound.core import working_days
from wraparound.core.models import Agency, Role, User

EARLY_HELP, HEALTH, SCHOOL, SOCIAL_CARE, POLICE = (
    "hcc-early-help",
    "hartshire-community-health",
    "harbridge-academy",
    "hcc-social-care",
    "hartshire-police",
)


def _worker(slug: str, role: str = Role.PRACTITIONER) -> Any:
    return User.objects.filter(agency__slug=slug, role=role).select_related("agency").first()


def _assess(lead: Any, case: FamilyCase, started: dt.date, needs: dict[str, str]) -> Any:
    assessment = plan_services.start_assessment(by=lead, case=case, started_on=started)
    plan_services.save_assessment(
        by=lead,
        assessment=assessment,
        expected_version=assessment.version,
        areas={
            outcome: AreaAnswers(
                worries=worry,
                working_well="Mum is keen to get help and keeps appointments with the school.",
                needs_to_happen="Agree a plan with the family at the next TAF meeting.",
                is_need=True,
            )
            for outcome, worry in needs.items()
        },
        child_words="I don't like it when they shout. I like my teacher.",
        parents_words="We just need things to calm down and some help with the little one.",
        consent_given_by="Mother, at the home visit",
    )
    return assessment


def _full_case(family: str, lead: Any, manager: Any, health: Any, school: Any) -> FamilyCase:
    today = timezone.localdate()
    case = services.open_case(by=manager, family_public_id=family, lead=lead)
    services.add_member(by=lead, case=case, user=health, role="Health visitor")
    services.add_member(by=lead, case=case, user=school, role="Designated safeguarding lead")
    started = today - dt.timedelta(days=40)
    assessment = _assess(
        lead,
        case,
        started,
        {
            "safe_from_abuse": "Police were called to the home twice this year after arguments.",
            "health": "The youngest has missed two health visitor checks.",
            "education": "Attendance has dropped to 86% this term.",
        },
    )
    plan_services.complete_assessment(
        by=lead,
        assessment=assessment,
        expected_version=assessment.version,
        on=started + dt.timedelta(days=20),
    )
    assessment.refresh_from_db()
    plan_services.sign_off_assessment(
        by=manager, assessment=assessment, expected_version=assessment.version
    )
    plan_services.add_action(
        by=lead,
        case=case,
        outcome="safe_from_abuse",
        description="Lead practitioner refers mother to the domestic abuse outreach service",
        owner=lead,
        due_on=today - dt.timedelta(days=14),
    )
    overdue = plan_services.add_action(
        by=lead,
        case=case,
        outcome="health",
        description="Health visitor rebooks and completes the missed 2-year check at home",
        owner=health,
        due_on=today - dt.timedelta(days=5),
    )
    done = plan_services.add_action(
        by=lead,
        case=case,
        outcome="education",
        description="School agrees an attendance support plan with mum and reviews weekly",
        owner=school,
        due_on=today + dt.timedelta(days=10),
    )
    plan_services.update_action(
        by=school,
        action=done,
        expected_version=done.version,
        status=ActionStatus.DONE,
        progress_note="Plan agreed; attendance up to 93% in the last fortnight.",
    )
    lead_action = case.plan.actions.get(owner=lead)
    plan_services.update_action(
        by=lead,
        action=lead_action,
        expected_version=lead_action.version,
        status=ActionStatus.DONE,
        progress_note="Referral accepted; first session booked.",
    )
    assert overdue.status == ActionStatus.NOT_STARTED
    plan_services.record_review(
        by=lead,
        case=case,
        held_on=today - dt.timedelta(days=7),
        attendees=f"{lead} (lead)\n{health} (health visiting)\n{school} (school)\nMother",
        decisions="Keep the plan; health visitor to rebook the check as a priority.",
        next_review_on=today + dt.timedelta(days=35),
    )
    services.add_note(
        by=lead,
        case=case,
        category="early_help",
        body="Home visit: mum engaged well; the children were calm. Agreed the plan's actions.",
        occurred_on=today - dt.timedelta(days=6),
    )
    services.add_note(
        by=health,
        case=case,
        category="health",
        body="Phoned mum to rebook the 2-year check; no answer, letter sent.",
        occurred_on=today - dt.timedelta(days=3),
    )
    note = services.add_note(
        by=school,
        case=case,
        category="education",
        body="Attendance 86% this term; two late marks this week.",
        occurred_on=today - dt.timedelta(days=2),
    )
    services.amend_note(
        by=school,
        note=note,
        body="Attendance 88% this term (register corrected); two late marks this week.",
        reason="The register had one session marked absent in error",
    )
    # The police are in the team but not party to the early help agreement (DSA-002): their
    # note is theirs alone, and they read none of the others' notes for early help.
    police = _worker(POLICE)
    if police is not None:
        services.add_member(by=lead, case=case, user=police, role="Neighbourhood officer")
        services.add_note(
            by=police,
            case=case,
            category="police",
            body="Neighbourhood team visited after a noise complaint; no offences disclosed.",
            occurred_on=today - dt.timedelta(days=1),
        )
    return case


def _late_case(family: str, lead: Any, manager: Any) -> FamilyCase:
    today = timezone.localdate()
    case = services.open_case(by=manager, family_public_id=family, lead=lead)
    started = today - dt.timedelta(days=80)
    assert working_days.add_working_days(started, 45) < today
    _assess(
        lead,
        case,
        started,
        {
            "family_relationships": "Parents separating; contact arrangements are tense.",
            "health": "Dad says he is struggling with low mood.",
        },
    )
    plan_services.add_action(
        by=lead,
        case=case,
        outcome="family_relationships",
        description="Lead practitioner offers the parents a place on the parenting-apart course",
        owner=lead,
        due_on=today + dt.timedelta(days=3),
    )
    return case


def _stepping_up(family: str, lead: Any, manager: Any, social_care: Agency) -> FamilyCase:
    today = timezone.localdate()
    case = services.open_case(by=manager, family_public_id=family, lead=lead)
    _assess(
        lead, case, today - dt.timedelta(days=20), {"safe_from_abuse": "Bruising seen at nursery."}
    )
    services.add_note(
        by=lead,
        case=case,
        category="early_help",
        body="Discussed with my manager: the concerns now meet the threshold for a statutory assessment.",
    )
    transfers.request_transfer(
        by=lead,
        case=case,
        direction="step_up",
        to_agency=social_care,
        reason="Unexplained bruising seen at nursery after two earlier concerns; child protection threshold likely met.",
    )
    return case


def _closed(family: str, lead: Any, manager: Any, *, reopen: bool) -> FamilyCase:
    case = services.open_case(by=manager, family_public_id=family, lead=lead)
    services.add_note(
        by=lead, case=case, category="early_help", body="Final visit: the family feel settled."
    )
    services.close_case(
        by=lead,
        case=case,
        reason="moved_away" if reopen else "needs_met",
        note="Family moved to Northshire; case summary sent to their early help team."
        if reopen
        else "",
        expected_version=case.version,
    )
    if reopen:
        case.refresh_from_db()
        services.reopen_case(
            by=manager,
            case=case,
            lead=lead,
            reason="The family moved back to Hartshire last month.",
        )
    return case


def load_cases() -> str:
    """Create the demo's cases once (skipped when any case exists)."""
    if FamilyCase.objects.exists():
        return "casework already loaded"
    lead, manager = _worker(EARLY_HELP), _worker(EARLY_HELP, Role.TEAM_MANAGER)
    health, school = _worker(HEALTH), _worker(SCHOOL)
    social_care = Agency.objects.filter(slug=SOCIAL_CARE).first()
    if None in (lead, manager, health, school, social_care):
        return "demo agencies missing: casework skipped"
    assert social_care is not None
    families = sorted(
        lead.care_relationships.filter(ended_at__isnull=True).values_list(
            "family_public_id", flat=True
        )
    )
    if len(families) < 5:
        return f"the early help practitioner has {len(families)} families: casework skipped"
    _full_case(families[0], lead, manager, health, school)
    _late_case(families[1], lead, manager)
    _stepping_up(families[2], lead, manager, social_care)
    _closed(families[3], lead, manager, reopen=False)
    _closed(families[4], lead, manager, reopen=True)
    return (
        f"5 early help cases led by {lead.username}: {families[0]} with a team, plan and an "
        f"overdue health action; {families[1]} with a late assessment; {families[2]} waiting "
        f"on a step up to {social_care.name}; {families[3]} closed; {families[4]} reopened"
    )
