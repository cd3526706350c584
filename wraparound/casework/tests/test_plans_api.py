"""The plans API answers JSON through the same policy and services, with 4xx reasons."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from wraparound.casework import plan_services
from wraparound.casework.openapi import OPENAPI
from wraparound.casework.tests.casework_builders import taf_agreement, team_around_family
from wraparound.core.tests.factories import signed_in

pytestmark = pytest.mark.django_db
PLAN = "/api/casework/plans/F-TEST0001/"


def _with_action(team):  # type: ignore[no-untyped-def]
    return plan_services.add_action(
        by=team.lead,
        case=team.case,
        outcome="health",
        description="Hana rebooks the missed health visit",
        owner=team.health_visitor,
        due_on=dt.date(2026, 11, 20),
    )


def test_the_lead_reads_the_plan_with_overdue_marked() -> None:
    team = team_around_family()
    _with_action(team)
    data = signed_in(team.lead).get(PLAN).json()
    assert data["lead"] == "Lee Lead"
    assert data["plan"]["actions"][0]["overdue"] is True
    assert data["plan"]["actions"][0]["owner"]["name"] == "Hana Visitor"


def test_someone_without_need_to_know_gets_403_with_the_reason() -> None:
    team = team_around_family()
    response = signed_in(team.social_worker).get(PLAN)
    assert response.status_code == 403
    assert "no current relationship" in response.json()["reason"]


def test_an_analyst_gets_a_json_403_not_a_page() -> None:
    from wraparound.core.models import Role
    from wraparound.sharing.tests import factories as sharing

    team = team_around_family()
    analyst = sharing.worker(team.family.early_help, role=Role.DATA_ANALYST, username="ana")
    response = signed_in(analyst).get(PLAN)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"


def test_the_owner_updates_an_action_and_a_stale_version_gets_409_with_the_changes() -> None:
    team = team_around_family()
    taf_agreement(team)
    action = _with_action(team)
    url = f"{PLAN}actions/{action.pk}/"
    body = {"version": 1, "status": "done", "progress_note": "Seen"}
    first = signed_in(team.health_visitor).patch(
        url, json.dumps(body), content_type="application/json"
    )
    assert first.status_code == 200
    assert first.json()["version"] == 2

    stale = signed_in(team.lead).patch(
        url, json.dumps({**body, "status": "in_progress"}), content_type="application/json"
    )

    assert stale.status_code == 409
    assert {"field": "status", "saved": "Done", "yours": "In progress"} in stale.json()["changes"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("not json", "not valid JSON"),
        ("[1]", "JSON object"),
        ('{"status": "done"}', "version is required"),
        ('{"version": 1, "status": "finished"}', "status must be one of"),
        ('{"version": 1, "due_on": "31/12/2026"}', "due_on must be a date"),
    ],
)
def test_bad_input_is_a_400_that_says_what_to_fix(body: str, reason: str) -> None:
    team = team_around_family()
    action = _with_action(team)
    response = signed_in(team.lead).patch(
        f"{PLAN}actions/{action.pk}/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert reason in response.json()["reason"]


def test_adding_an_action_through_the_api_needs_an_owner_in_the_team() -> None:
    team = team_around_family()
    payload = {
        "need": "health",
        "description": "Sid visits the family next week",
        "owner_id": team.social_worker.pk,
        "due_on": "2026-12-20",
    }
    refused = signed_in(team.lead).post(PLAN, json.dumps(payload), content_type="application/json")
    assert refused.status_code == 400
    assert "not in the team" in refused.json()["reason"]
    made = signed_in(team.lead).post(
        PLAN,
        json.dumps({**payload, "owner_id": team.health_visitor.pk}),
        content_type="application/json",
    )
    assert made.status_code == 201


def test_the_openapi_document_describes_exactly_the_casework_api_urls() -> None:
    api = next(
        r for r in get_resolver().url_patterns if getattr(r, "namespace", None) == "casework-api"
    )
    routed = {"/api/casework/" + str(p.pattern) for p in api.url_patterns}
    routed = {
        path.replace("<str:family_public_id>", "{family_public_id}").replace(
            "<int:action_id>", "{action_id}"
        )
        for path in routed
    }
    assert routed == set(OPENAPI["paths"])
    assert Client().get(reverse("casework-api:openapi")).json()["openapi"] == "3.1.0"
