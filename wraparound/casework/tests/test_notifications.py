"""Casework tells people what needs them, in the app and by email, never what records hold.

Action assigned and overdue, handover, a step up or down awaiting acceptance (and its
answer), an assessment running late, a review coming due; the clock sends each reminder
once however often it runs. Referral notifications (received, decided, information
requested, reminder and escalation) are specified in ``referrals/tests``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from wraparound.casework import clock, plan_services, services, transfers
from wraparound.casework.models import ReminderSent
from wraparound.casework.tests.casework_builders import Team, team_around_family
from wraparound.notifications.models import Notification

pytestmark = pytest.mark.django_db
DESCRIPTION = "Hana books and attends the missed health review"


def _told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def _action(team: Team, owner, due_on: dt.date):  # type: ignore[no-untyped-def]
    return plan_services.add_action(
        by=team.lead, case=team.case, outcome="health", description=DESCRIPTION,
        owner=owner, due_on=due_on,
    )  # fmt: skip


def test_the_owner_of_a_new_action_is_told_in_the_app_and_by_email_without_its_text(
    django_capture_on_commit_callbacks,
) -> None:
    team = team_around_family()
    team.health_visitor.email = "hana@example.org"
    team.health_visitor.save()

    with django_capture_on_commit_callbacks(execute=True):
        _action(team, team.health_visitor, timezone.localdate() + dt.timedelta(days=14))

    note = Notification.objects.get(kind="casework_action_assigned")
    assert note.recipient == team.health_visitor
    assert note.family_public_id == team.family.family_public_id
    assert note.link == reverse(
        "casework:plan", kwargs={"family_public_id": team.family.family_public_id}
    )
    assert [m.to for m in mail.outbox] == [["hana@example.org"]]
    assert DESCRIPTION not in mail.outbox[0].body
    assert DESCRIPTION not in note.body


def test_nobody_is_told_about_an_action_they_gave_themselves() -> None:
    team = team_around_family()
    _action(team, team.lead, timezone.localdate() + dt.timedelta(days=14))
    assert not Notification.objects.filter(kind="casework_action_assigned").exists()


def test_the_colleague_taking_over_a_caseload_is_told_which_families() -> None:
    team = team_around_family()

    services.hand_over_caseload(by=team.manager, leaving=team.lead, to=team.colleague)

    note = Notification.objects.get(kind="casework_handover", recipient=team.colleague)
    assert "1 family handed over" in note.subject
    assert team.family.family_public_id in note.body


def test_a_new_lead_is_told_when_the_lead_changes() -> None:
    team = team_around_family()
    services.change_lead(
        by=team.manager, case=team.case, new_lead=team.colleague,
        expected_version=team.case.version,
    )  # fmt: skip
    assert _told("casework_handover") == {team.colleague.username}


def test_a_step_up_waits_for_the_receiving_managers_who_are_told_then_the_lead_hears_back() -> None:
    team = team_around_family()

    transfer = transfers.request_transfer(
        by=team.lead, case=team.case, direction="step_up", to_agency=team.social_care,
        reason="Escalating concerns at home",
    )  # fmt: skip

    waiting = Notification.objects.get(kind="casework_transfer_awaiting")
    assert waiting.recipient == team.social_care_manager
    assert waiting.link.startswith(
        reverse(
            "casework:transfer-respond",
            kwargs={"family_public_id": team.family.family_public_id, "transfer_id": transfer.pk},
        )
    )
    assert "purpose=safeguarding" in waiting.link
    assert "Escalating" not in waiting.body

    transfers.accept_transfer(
        by=team.social_care_manager, transfer=transfer, new_lead=team.social_worker
    )

    assert _told("casework_transfer_accepted") == {team.lead.username}
    assert team.social_worker.username in _told("casework_handover")


def test_a_declined_step_up_tells_the_lead_they_carry_on() -> None:
    team = team_around_family()
    transfer = transfers.request_transfer(
        by=team.lead, case=team.case, direction="step_up", to_agency=team.social_care,
        reason="Escalating concerns at home",
    )  # fmt: skip
    transfers.decline_transfer(
        by=team.social_care_manager, transfer=transfer, note="Not at threshold; carry on"
    )
    note = Notification.objects.get(kind="casework_transfer_declined")
    assert note.recipient == team.lead
    assert "carry on" in note.body


# --- the clock ------------------------------------------------------------------------------


def test_the_clock_tells_owner_and_lead_of_an_overdue_action_once() -> None:
    team = team_around_family()
    action = _action(team, team.health_visitor, timezone.localdate() - dt.timedelta(days=1))

    first = clock.tick()
    again = clock.tick()

    assert first.actions_overdue == 1
    assert again.actions_overdue == 0
    notes = Notification.objects.filter(kind="casework_action_overdue")
    assert sorted(n.recipient.username for n in notes) == ["hana-hv", "lee-lead"]
    assert notes[0].link.endswith(f"/plan/actions/{action.pk}/")
    # A new due date is a new clock.
    action.due_on = timezone.localdate() - dt.timedelta(days=2)
    action.save(update_fields=["due_on"])
    assert clock.tick().actions_overdue == 1


def test_a_done_action_or_a_closed_case_is_never_chased() -> None:
    team = team_around_family()
    action = _action(team, team.health_visitor, timezone.localdate() - dt.timedelta(days=1))
    plan_services.update_action(
        by=team.health_visitor, action=action, expected_version=action.version,
        status="done", progress_note="Seen at clinic",
    )  # fmt: skip
    assert clock.tick().actions_overdue == 0


def test_the_clock_tells_the_lead_and_the_assessing_managers_of_a_late_assessment() -> None:
    team = team_around_family()
    assessment = plan_services.start_assessment(
        by=team.lead, case=team.case, started_on=timezone.localdate() - dt.timedelta(days=90)
    )

    assert clock.tick().assessments_late == 1

    assert _told("casework_assessment_late") == {"lee-lead", "mo-manager"}
    assert ReminderSent.objects.filter(ref=f"assessment:{assessment.pk}:{assessment.due_on}")
    assert clock.tick().assessments_late == 0


def test_the_clock_tells_the_lead_of_a_review_coming_due_but_not_one_months_away() -> None:
    team = team_around_family()
    today = timezone.localdate()
    plan_services.record_review(
        by=team.lead, case=team.case, held_on=today - dt.timedelta(days=40),
        attendees="Lee Lead\nHana Visitor\nMother", decisions="Keep going",
        next_review_on=today + dt.timedelta(days=60),
    )  # fmt: skip
    assert clock.tick().reviews_due == 0

    plan_services.record_review(
        by=team.lead, case=team.case, held_on=today, attendees="Lee Lead\nMother",
        decisions="Review sooner", next_review_on=today + dt.timedelta(days=2),
    )  # fmt: skip

    assert clock.tick().reviews_due == 1
    assert _told("casework_review_due") == {"lee-lead"}


def test_the_casework_tick_command_runs_the_clock(capsys: pytest.CaptureFixture[str]) -> None:
    team = team_around_family()
    _action(team, team.health_visitor, timezone.localdate() - dt.timedelta(days=1))

    call_command("casework-tick")

    assert "1 overdue actions" in capsys.readouterr().out
    assert _told("casework_action_overdue") == {"hana-hv", "lee-lead"}
