"""The family page as a workspace: casework shown through the gate, actions that refuse clearly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wraparound.casework import plan_services, services
from wraparound.casework.models import PlanAction
from wraparound.casework.tests.casework_builders import taf_agreement, team_around_family
from wraparound.core.tests.factories import signed_in
from wraparound.sharing.models import AuditEntry
from wraparound.sharing.tests import factories as sharing

pytestmark = pytest.mark.django_db
PURPOSE = {"purpose": "early_help_coordination"}


def _family(client: Client, fid: str = "F-TEST0001"):  # type: ignore[no-untyped-def]
    return client.get(reverse("casework:family", kwargs={"family_public_id": fid}), PURPOSE)


def test_a_health_note_is_read_by_health_and_withheld_from_early_help_without_an_agreement() -> (
    None
):
    team = team_around_family()
    services.add_note(
        by=team.health_visitor, case=team.case, category="health", body="Baby weight falling."
    )

    health_body = _family(signed_in(team.health_visitor)).content.decode()
    early_help = _family(signed_in(team.lead))

    assert "Baby weight falling." in health_body
    assert "Baby weight falling." not in early_help.content.decode()
    assert early_help.context["page"].workspace.notes_withheld == 1


def test_an_agreement_sharing_health_data_lets_the_early_help_lead_read_the_note() -> None:
    team = team_around_family()
    sharing.agreement(
        parties=[team.family.health, team.family.early_help],
        shares=[(team.family.health, "health")],
        purposes=["early_help_coordination"],
    )
    services.add_note(
        by=team.health_visitor, case=team.case, category="health", body="Baby weight falling."
    )

    assert "Baby weight falling." in _family(signed_in(team.lead)).content.decode()


def test_the_family_page_view_is_still_one_decision_with_casework_on_it() -> None:
    team = team_around_family()
    services.add_note(by=team.lead, case=team.case, category="early_help", body="Home visit.")
    before = AuditEntry.objects.count()

    response = _family(signed_in(team.lead))

    assert response.status_code == 200
    assert "Home visit." in response.content.decode()
    entries = AuditEntry.objects.filter(sequence__gt=before)
    assert entries.count() <= 2  # one permit entry, plus one deny entry for withheld items
    assert {e.action for e in entries} == {"view"}


def test_the_workspace_names_the_lead_and_team_not_bare_ids() -> None:
    team = team_around_family()
    body = _family(signed_in(team.health_visitor)).content.decode()
    assert "Lee Lead (Early Help)" in body
    assert "Hana Visitor" in body
    assert "Health visitor" in body


def test_an_overdue_action_is_marked_on_the_family_page() -> None:
    team = team_around_family()
    taf_agreement(team)
    plan_services.add_action(
        by=team.lead,
        case=team.case,
        outcome="health",
        description="Hana rebooks the missed health visit",
        owner=team.health_visitor,
        due_on=timezone.localdate() - dt.timedelta(days=3),
    )
    response = _family(signed_in(team.lead))
    assert len(response.context["page"].workspace.plan.overdue) == 1
    assert "Overdue" in response.content.decode()


def test_two_users_edit_one_action_and_the_second_save_is_refused_showing_what_changed() -> None:
    team = team_around_family()
    taf_agreement(team)
    action = plan_services.add_action(
        by=team.lead,
        case=team.case,
        outcome="health",
        description="Hana rebooks the missed health visit",
        owner=team.health_visitor,
        due_on=dt.date(2026, 12, 20),
    )
    url = reverse(
        "casework:action-edit", kwargs={"family_public_id": "F-TEST0001", "action_id": action.pk}
    )
    owner, lead = signed_in(team.health_visitor), signed_in(team.lead)
    owner_form = owner.get(url, PURPOSE).context["form"]
    lead_form = lead.get(url, PURPOSE).context["form"]
    both_saw = owner_form.initial["version"]
    assert lead_form.initial["version"] == both_saw

    first = owner.post(
        url,
        {
            **PURPOSE,
            "version": both_saw,
            "status": "done",
            "progress_note": "Seen",
            "due_on": "2026-12-20",
        },
    )
    second = lead.post(
        url,
        {
            **PURPOSE,
            "version": both_saw,
            "status": "in_progress",
            "progress_note": "Chasing",
            "due_on": "2026-12-20",
        },
    )

    assert first.status_code == 302
    assert second.status_code == 409
    body = second.content.decode()
    assert "Your changes were not saved" in body
    assert "Hana Visitor" in body
    assert "Done" in body
    assert "Chasing" in body
    saved = PlanAction.objects.get(pk=action.pk)
    assert (saved.status, saved.progress_note) == ("done", "Seen")


def test_someone_without_a_relationship_cannot_add_a_note_and_is_told_the_way_in() -> None:
    team = team_around_family()
    response = signed_in(team.social_worker).post(
        reverse("casework:note-new", kwargs={"family_public_id": "F-TEST0001"}),
        {**PURPOSE, "category": "social_care", "body": "x", "occurred_on": "2026-11-01"},
    )
    assert response.status_code == 403
    assert "request emergency access" in response.content.decode()
    assert not team.case.notes.exists()


def test_a_note_with_a_future_date_is_a_form_error_not_a_500() -> None:
    team = team_around_family()
    response = signed_in(team.lead).post(
        reverse("casework:note-new", kwargs={"family_public_id": "F-TEST0001"}),
        {**PURPOSE, "category": "early_help", "body": "Visit", "occurred_on": "2099-01-01"},
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()


def test_handover_page_checks_the_answers_then_moves_a_leaving_workers_families() -> None:
    team = team_around_family()
    client = signed_in(team.manager)
    answers = {"leaving": team.lead.pk, "to": team.colleague.pk, "deactivate": "on"}

    check = client.post(reverse("casework:handover"), answers)

    assert check.status_code == 200
    assert "Check before you hand over" in check.content.decode()
    team.case.refresh_from_db()
    assert team.case.lead == team.lead  # nothing happens until the answers are confirmed
    done = client.post(reverse("casework:handover"), {**answers, "confirm": "yes"})
    assert done.status_code == 302
    team.case.refresh_from_db()
    assert team.case.lead == team.colleague


def test_search_without_need_to_know_says_only_that_a_matching_record_exists() -> None:
    team = team_around_family()
    stranger = sharing.worker(team.family.police, username="pc-stranger")

    response = signed_in(stranger).get(reverse("casework:search"), {"name": "Kelly Booth"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "A matching record exists" in body
    assert "request emergency access" in body
    assert "1994" not in body
    mine = signed_in(team.lead).get(reverse("casework:search"), {"name": "booth"})
    assert "you work with this family" in mine.content.decode()


def test_search_with_no_criteria_is_a_form_error() -> None:
    team = team_around_family()
    response = signed_in(team.lead).get(reverse("casework:search"), {"name": ""})
    assert response.status_code == 400


def test_my_tasks_lists_my_overdue_action_and_the_caseload_counts_it() -> None:
    team = team_around_family()
    plan_services.add_action(
        by=team.lead,
        case=team.case,
        outcome="safe_from_abuse",
        description="Lee refers mother to the domestic abuse service",
        owner=team.lead,
        due_on=timezone.localdate() - dt.timedelta(days=1),
    )
    tasks = signed_in(team.lead).get(reverse("casework:my-tasks"))
    assert "Lee refers mother" in tasks.content.decode()
    assert "Overdue" in tasks.content.decode()
    loads = signed_in(team.manager).get(reverse("casework:caseload")).context["loads"]
    lee = next(load for load in loads if load.worker == team.lead)
    assert (lee.families, lee.children, lee.overdue_actions) == (["F-TEST0001"], 1, 1)


def test_without_the_teams_agreement_another_agency_cannot_read_the_plan_even_its_own_action() -> (
    None
):
    """The plan is one record of the lead's agency: the agreement decides, not ownership."""
    team = team_around_family()
    plan_services.add_action(
        by=team.lead,
        case=team.case,
        outcome="health",
        description="Hana rebooks the missed health visit",
        owner=team.health_visitor,
        due_on=timezone.localdate(),
    )
    owner_view = _family(signed_in(team.health_visitor)).context["page"].workspace
    assert owner_view.plan is None
    assert owner_view.plan_withheld
    assert owner_view.actions_withheld == 1
    lead_view = _family(signed_in(team.lead)).context["page"].workspace
    assert [a.description for a in lead_view.plan.actions] == [
        "Hana rebooks the missed health visit"
    ]


def test_the_summary_downloads_only_what_the_page_shows_and_is_audited_as_an_export() -> None:
    team = team_around_family()
    services.add_note(by=team.health_visitor, case=team.case, category="health", body="Secret.")
    response = signed_in(team.lead).get(
        reverse("casework:family-summary", kwargs={"family_public_id": "F-TEST0001"}),
        {**PURPOSE, "format": "json"},
    )
    assert response["Content-Disposition"].startswith("attachment")
    data = response.json()
    assert data["case"]["lead"] == "Lee Lead"
    assert data["notes_withheld"] == 1
    assert "Secret." not in response.content.decode()
    assert AuditEntry.objects.filter(action="export", family_public_id="F-TEST0001").exists()


def test_the_transfer_pack_reads_in_words_for_the_receiving_team() -> None:
    """The pack once showed its stored values: ``completed``, ``safe_from_abuse``,
    ``not_started``."""
    from wraparound.casework import transfers
    from wraparound.casework.plan_services import AreaAnswers
    from wraparound.core.tests.raw_codes import raw_codes_in

    team = team_around_family()
    taf_agreement(team)
    sharing.agreement(
        parties=[team.family.early_help, team.social_care],
        shares=[(team.family.early_help, "early_help")],
        purposes=["safeguarding"],
    )
    assessment = plan_services.start_assessment(by=team.lead, case=team.case)
    plan_services.save_assessment(
        by=team.lead, assessment=assessment, expected_version=assessment.version,
        areas={"safe_from_abuse": AreaAnswers(worries="Shouting at night", is_need=True)},
        child_words="I want it quiet", parents_words="We are trying",
    )  # fmt: skip
    plan_services.add_action(
        by=team.lead, case=team.case, outcome="safe_from_abuse", owner=team.lead,
        description="Safety plan with mum", due_on=timezone.localdate() + dt.timedelta(days=7),
    )  # fmt: skip
    transfer = transfers.request_transfer(
        by=team.lead, case=team.case, direction="step_up", to_agency=team.social_care,
        reason="Escalating concerns at home",
    )  # fmt: skip
    page = signed_in(team.social_care_manager).get(
        reverse(
            "casework:transfer-respond",
            kwargs={"family_public_id": team.family.family_public_id, "transfer_id": transfer.pk},
        ),
        {"purpose": "safeguarding"},
    )
    html = page.content.decode()
    assert 'data-testid="pack"' in html, "the receiving manager reads the pack"
    assert "Assessment (Draft)" in html
    assert "Children safe from abuse and exploitation: Shouting at night" in html
    assert "Safety plan with mum" in html
    assert ", not started</li>" in html
    assert raw_codes_in(html) == []
