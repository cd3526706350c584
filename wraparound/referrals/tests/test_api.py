"""The referrals JSON API: the same rules as the pages, every refusal a 4xx with a reason,
and an OpenAPI document that lists exactly the API's paths, states and actions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from wraparound.core.tests.factories import signed_in
from wraparound.referrals import reading
from wraparound.referrals.api import OPENAPI
from wraparound.referrals.models import Referral, State
from wraparound.referrals.tests.builders import FAMILY, draft, partnership

pytestmark = pytest.mark.django_db


def _post(client: Client, url: str, body: Any) -> Any:
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, raw, content_type="application/json")


def _new(p: Any, **changes: Any) -> dict[str, Any]:
    values = dict(draft(p, **changes).__dict__)
    values.pop("suggestion")
    return values


def test_send_then_accept_through_the_api() -> None:
    p = partnership()
    sent = _post(signed_in(p.sender), reverse("referrals-api:referrals"), _new(p))
    assert sent.status_code == 201, sent.json()
    body = sent.json()
    assert body["state"] == "sent"
    assert body["content"]["reason"].startswith("Rent arrears")
    assert body["actions"] == ["withdraw"]

    receiver = signed_in(p.receiver)
    queue = receiver.get(reverse("referrals-api:referrals")).json()["referrals"]
    assert [r["reference"] for r in queue] == [body["reference"]]
    assert "content" not in queue[0]  # lists carry the workflow only

    url = reverse("referrals-api:transition", kwargs={"reference": body["reference"]})
    accepted = _post(receiver, url, {"action": "accept", "note": "Allocated to the tenancy team"})
    assert accepted.status_code == 200
    assert accepted.json()["state"] == "accepted"
    assert [h["event"] for h in accepted.json()["history"]] == [
        "Referral sent",
        "Referral accepted",
    ]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ("{not json", 400, "body"),
        ("[1, 2]", 400, "body"),
        ({"family_public_id": FAMILY, "colour": "blue"}, 400, "colour"),
        ({"family_public_id": 7}, 400, "family_public_id"),
        ({"family_public_id": FAMILY, "needs": "housing"}, 400, "needs"),
        ({"family_public_id": FAMILY, "to_agency_id": "two"}, 400, "to_agency_id"),
    ],
)
def test_malformed_requests_get_400_with_the_field_at_fault(
    body: Any, status: int, field: str
) -> None:
    p = partnership()
    response = _post(signed_in(p.sender), reverse("referrals-api:referrals"), body)
    assert response.status_code == status
    assert field in response.json()["error"]["fields"]


def test_a_draft_that_fails_the_rules_gets_400_listing_every_problem() -> None:
    p = partnership()
    response = _post(
        signed_in(p.sender),
        reverse("referrals-api:referrals"),
        _new(p, reason="short", consent_basis=""),
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) >= {"reason", "consent_basis"}
    assert not Referral.objects.exists()


def test_someone_without_a_relationship_is_refused_with_403() -> None:
    p = partnership()
    response = _post(signed_in(p.outsider), reverse("referrals-api:referrals"), _new(p))
    assert response.status_code == 403
    assert "You cannot refer family" in response.json()["error"]["message"]


def test_transitions_refuse_non_parties_wrong_people_wrong_states_and_unknown_actions() -> None:
    p = partnership()
    sent = _post(signed_in(p.sender), reverse("referrals-api:referrals"), _new(p)).json()
    url = reverse("referrals-api:transition", kwargs={"reference": sent["reference"]})
    assert _post(signed_in(p.outsider), url, {"action": "accept"}).status_code == 403
    own = _post(signed_in(p.sender), url, {"action": "accept"})
    assert own.status_code == 409
    assert "you may: withdraw" in own.json()["error"]["message"]
    assert _post(signed_in(p.receiver), url, {"action": "approve"}).status_code == 400
    declined = _post(
        signed_in(p.receiver), url, {"action": "decline", "decline_reason": "x", "signpost": ""}
    )
    assert declined.status_code == 400
    assert set(declined.json()["error"]["fields"]) == {"decline_reason", "signpost"}
    assert Referral.objects.get().state == State.SENT


def test_unknown_referrals_are_404_and_other_roles_403_as_json() -> None:
    p = partnership()
    missing = signed_in(p.receiver).get(
        reverse("referrals-api:referral", kwargs={"reference": "R-99999"})
    )
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "No referral R-99999."
    from wraparound.sharing.tests import factories as sharing

    analyst = sharing.worker(p.housing, "data_analyst", username="analyst")
    refused = signed_in(analyst).get(reverse("referrals-api:referrals"))
    assert refused.status_code == 403
    assert refused.json()["error"]["status"] == 403


def test_a_bad_list_filter_is_400() -> None:
    p = partnership()
    client = signed_in(p.receiver)
    assert client.get(reverse("referrals-api:referrals"), {"box": "all"}).status_code == 400
    assert client.get(reverse("referrals-api:referrals"), {"queue": "x"}).status_code == 400
    assert client.get(reverse("referrals-api:referrals"), {"box": "sent"}).status_code == 200


def test_the_openapi_document_lists_exactly_the_api_paths_states_and_actions() -> None:
    served = Client().get(reverse("referrals-api:openapi"))
    assert served.status_code == 200
    doc = json.loads(OPENAPI.read_text(encoding="utf-8"))
    assert served.json() == doc
    resolver = get_resolver().namespace_dict["referrals-api"][1]
    prefix = reverse("referrals-api:referrals")
    routed = set()
    for pattern in resolver.url_patterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern).replace("<str:reference>", "{reference}")
        routed.add(prefix + route)
    assert set(doc["paths"]) == routed
    schemas = doc["components"]["schemas"]
    assert set(schemas["ReferralSummary"]["properties"]["state"]["enum"]) == set(State.values)
    assert set(schemas["Transition"]["properties"]["action"]["enum"]) == set(reading.DONE)
    from wraparound.referrals.api import DRAFT_FIELDS

    assert set(schemas["NewReferral"]["properties"]) == DRAFT_FIELDS
