"""Check your answers (GOV.UK pattern) before casework actions that cannot be undone.

Closing a case, sending a step up or down, handing over a caseload (``test_workspace_pages``),
declining or withdrawing a referral: a valid form first shows its answers in words with a
Change link for each; only the confirm button acts, on exactly the answers checked; Change
reopens the form with the answers kept.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from wraparound.casework.models import CaseStatus, FamilyCase
from wraparound.casework.tests.casework_builders import team_around_family
from wraparound.core.tests.factories import signed_in
from wraparound.referrals import services as referrals
from wraparound.referrals.models import Referral, State
from wraparound.referrals.tests.builders import TUESDAY, draft, partnership

pytestmark = pytest.mark.django_db
PURPOSE = {"purpose": "early_help_coordination"}


def test_closing_a_case_shows_the_answers_in_words_and_closes_only_when_confirmed() -> None:
    team = team_around_family()
    client = signed_in(team.lead)
    url = reverse("casework:case-close", kwargs={"family_public_id": "F-TEST0001"})
    answers = {**PURPOSE, "version": team.case.version, "reason": "needs_met", "note": ""}

    check = client.post(url, answers)

    body = check.content.decode()
    assert check.status_code == 200
    assert "Check before you close the case" in body
    summary = body.split('data-testid="check-answers"')[1].split("</dl>")[0]
    assert "Needs met, plan complete" in summary
    assert "needs_met" not in summary
    assert "access through the team around the family ends at once" in body
    assert FamilyCase.objects.get(pk=team.case.pk).status == CaseStatus.OPEN
    change = client.get(url + "?change=1")
    assert 'value="needs_met"' in change.content.decode()
    assert "checked" in change.content.decode().split('value="needs_met"')[1][:120]

    done = client.post(url, {**answers, "confirm": "yes"})

    assert done.status_code == 302
    assert FamilyCase.objects.get(pk=team.case.pk).status == CaseStatus.CLOSED


def test_a_step_up_is_sent_only_from_its_check_page() -> None:
    team = team_around_family()
    client = signed_in(team.lead)
    url = reverse("casework:transfer-new", kwargs={"family_public_id": "F-TEST0001"})
    answers = {
        **PURPOSE,
        "direction": "step_up",
        "to_agency": team.social_care.pk,
        "reason": "Escalating concerns at home",
    }

    check = client.post(url, answers)

    body = check.content.decode()
    assert "Check before you send the transfer" in body
    assert "Step up to statutory social care" in body
    assert escape("Children's Services") in body
    assert not team.case.transfers.exists()
    assert client.post(url, {**answers, "confirm": "yes"}).status_code == 302
    assert team.case.transfers.get().to_agency == team.social_care


def _referral_act(action: str) -> tuple[Client, Referral, str]:
    p = partnership()
    referral = referrals.send_referral(by=p.sender, draft=draft(p), now=TUESDAY)
    user = p.receiver if action == "decline" else p.sender
    url = reverse("referrals:act", kwargs={"reference": referral.reference, "action": action})
    return signed_in(user), referral, url


def test_declining_a_referral_is_checked_first_then_final() -> None:
    client, referral, url = _referral_act("decline")
    answers = {
        "decline_reason": "service_full",
        "signpost": "The family hub at Harbridge, open Monday to Friday",
    }

    check = client.post(url, answers)

    body = check.content.decode()
    assert check.status_code == 200
    assert "Check before you decline the referral" in body
    assert "The family hub at Harbridge" in body
    assert Referral.objects.get(pk=referral.pk).state == State.SENT
    detail = reverse("referrals:detail", kwargs={"reference": referral.reference})
    assert f"{detail}?change=decline" in body
    change = client.get(detail + "?change=decline")
    assert "The family hub at Harbridge" in change.content.decode()  # answers kept

    client.post(url, {**answers, "confirm": "yes"})

    assert Referral.objects.get(pk=referral.pk).state == State.DECLINED


def test_withdrawing_a_referral_is_checked_first() -> None:
    client, referral, url = _referral_act("withdraw")

    check = client.post(url, {"withdraw_reason": "needs_changed", "note": ""})

    assert "Check before you withdraw the referral" in check.content.decode()
    assert Referral.objects.get(pk=referral.pk).state == State.SENT
    client.post(url, {"withdraw_reason": "needs_changed", "note": "", "confirm": "yes"})
    assert Referral.objects.get(pk=referral.pk).state == State.WITHDRAWN


def test_accepting_a_referral_needs_no_check_page() -> None:
    client, referral, _ = _referral_act("decline")
    url = reverse("referrals:act", kwargs={"reference": referral.reference, "action": "accept"})

    assert client.post(url, {"note": ""}).status_code == 302
    assert Referral.objects.get(pk=referral.pk).state == State.ACCEPTED
