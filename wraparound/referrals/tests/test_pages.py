"""The referral pages: send with check your answers, the detail page's actions per state and
person, content read through the sharing gate, the front door and the notifications."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from wraparound.core.tests.factories import signed_in
from wraparound.notifications.models import Notification
from wraparound.referrals import services
from wraparound.referrals.models import Referral, State
from wraparound.referrals.tests.builders import FAMILY, draft, partnership
from wraparound.sharing.models import AgreementStatus, AuditEntry, AuditOutcome

pytestmark = pytest.mark.django_db

FORM = {
    "family_public_id": FAMILY,
    "purpose": "early_help_coordination",
    "needs": ["secure_housing"],
    "reason": "Rent arrears of three months and an eviction notice; mother is struggling.",
    "urgency": "urgent",
    "consent_basis": "given",
    "consent_given_by": "Mother",
    "consent_method": "phone",
    "shared_categories": ["identity", "early_help"],
}


def test_send_a_referral_checking_answers_first() -> None:
    p = partnership()
    client = signed_in(p.sender)
    assert client.get(reverse("referrals:new"), {"family": FAMILY}).status_code == 200

    checking = client.post(reverse("referrals:new"), {**FORM, "to_agency": p.housing.pk})
    assert checking.status_code == 302
    assert checking.url == reverse("referrals:check")
    check = client.get(checking.url)
    body = check.content.decode()
    assert "Check your answers before sending the referral" in body
    assert "Hartshire Homes" in body
    assert "Decision due by" in body
    assert not Referral.objects.exists()  # nothing is sent until the button is pressed

    sent = client.post(reverse("referrals:check"))
    referral = Referral.objects.get()
    assert sent.url == reverse("referrals:detail", kwargs={"reference": referral.reference})
    assert referral.state == State.SENT
    assert referral.urgency == "urgent"
    assert client.get(reverse("referrals:check")).status_code == 302  # the draft is gone


def test_form_errors_are_shown_in_an_error_summary_with_the_fields() -> None:
    p = partnership()
    response = signed_in(p.sender).post(reverse("referrals:new"), {**FORM, "reason": "short"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Choose the agency or service you are referring to." in body
    assert "at least 20 characters" in body


def test_the_receiver_reads_the_referral_and_accepts_it() -> None:
    p = partnership()
    referral = services.send_referral(by=p.sender, draft=draft(p))
    client = signed_in(p.receiver)
    page = client.get(reverse("referrals:detail", kwargs={"reference": referral.reference}))
    body = page.content.decode()
    assert "Rent arrears" in body
    assert "Accept the referral" in body
    assert "Withdraw the referral" not in body
    response = client.post(
        reverse("referrals:act", kwargs={"reference": referral.reference, "action": "accept"}), {}
    )
    assert response.status_code == 302
    assert Referral.objects.get().state == State.ACCEPTED


def test_the_content_is_withheld_when_the_agreement_is_suspended_after_sending() -> None:
    p = partnership()
    referral = services.send_referral(by=p.sender, draft=draft(p))
    p.agreement.status = AgreementStatus.SUSPENDED
    p.agreement.save()
    body = (
        signed_in(p.receiver)
        .get(reverse("referrals:detail", kwargs={"reference": referral.reference}))
        .content.decode()
    )
    assert "Rent arrears" not in body
    assert "Withheld:" in body
    assert "suspended" in body


def test_someone_not_party_to_the_referral_is_refused_and_audited() -> None:
    p = partnership()
    referral = services.send_referral(by=p.sender, draft=draft(p))
    response = signed_in(p.outsider).get(
        reverse("referrals:detail", kwargs={"reference": referral.reference})
    )
    assert response.status_code == 403
    assert "Rent arrears" not in response.content.decode()
    assert AuditEntry.objects.filter(
        actor_id=p.outsider.pk, outcome=AuditOutcome.DENY, family_public_id=FAMILY
    ).exists()


def test_a_decline_without_a_signpost_is_refused_with_the_reason_on_the_page() -> None:
    p = partnership()
    referral = services.send_referral(by=p.sender, draft=draft(p))
    response = signed_in(p.receiver).post(
        reverse("referrals:act", kwargs={"reference": referral.reference, "action": "decline"}),
        {"decline_reason": "service_full"},
    )
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert Referral.objects.get().state == State.SENT


def test_acting_twice_says_the_state_does_not_allow_it() -> None:
    p = partnership()
    referral = services.send_referral(by=p.sender, draft=draft(p))
    services.accept_referral(by=p.receiver, referral=referral)
    response = signed_in(p.receiver_manager).post(
        reverse("referrals:act", kwargs={"reference": referral.reference, "action": "accept"}),
        {},
        follow=True,
    )
    assert response.redirect_chain[-1][1] == 302
    assert "is accepted: you cannot accept it now" in response.content.decode()


def test_unknown_referral_and_unknown_action_are_404() -> None:
    p = partnership()
    client = signed_in(p.receiver)
    assert (
        client.get(reverse("referrals:detail", kwargs={"reference": "R-00404"})).status_code == 404
    )
    referral = services.send_referral(by=p.sender, draft=draft(p))
    bad = reverse("referrals:act", kwargs={"reference": referral.reference, "action": "approve"})
    assert client.post(bad).status_code == 404


def test_the_front_door_lists_referrals_to_decide_urgent_first_without_their_content() -> None:
    p = partnership()
    standard = services.send_referral(by=p.sender, draft=draft(p))
    urgent = services.send_referral(by=p.sender, draft=draft(p, urgency="urgent"))
    response = signed_in(p.receiver).get(reverse("referrals:front-door"))
    rows = response.context["rows"]
    assert [r.referral.reference for r in rows] == [urgent.reference, standard.reference]
    assert "Rent arrears" not in response.content.decode()
    assert "To decide (2)" in response.content.decode()
    assert signed_in(p.sender).get(reverse("referrals:front-door")).context["rows"] == []


def test_my_referrals_lists_what_waits_on_me_and_what_i_sent() -> None:
    p = partnership()
    referral = services.send_referral(by=p.sender, draft=draft(p))
    tasks = signed_in(p.receiver).get(reverse("referrals:mine")).context["tasks"]
    assert [(t.kind, t.reference) for t in tasks] == [("decide_referral", referral.reference)]
    mine = signed_in(p.sender).get(reverse("referrals:mine"))
    assert [r.reference for r in mine.context["sent"]] == [referral.reference]
    assert mine.context["tasks"] == []


def test_notifications_show_unread_and_opening_one_marks_it_read_and_follows_it() -> None:
    p = partnership()
    referral = services.send_referral(by=p.sender, draft=draft(p))
    client = signed_in(p.receiver)
    listing = client.get(reverse("notifications:list"))
    assert listing.context["notification_count"] == 1
    note = Notification.objects.get(recipient=p.receiver)
    opened = client.post(reverse("notifications:open", kwargs={"pk": note.pk}))
    assert opened.url == reverse("referrals:detail", kwargs={"reference": referral.reference})
    assert Notification.objects.get(pk=note.pk).is_read
    assert (
        signed_in(p.sender).post(reverse("notifications:open", kwargs={"pk": note.pk})).status_code
        == 404
    )


def _housing_service(p: Any) -> Any:
    from wraparound.core.geography import load_geography
    from wraparound.directory.models import Attribute, Service, ServiceArea
    from wraparound.directory.services import ensure_agency_organization, ensure_vocabulary
    from wraparound.directory.vocabulary import NEEDS, term_id

    ensure_vocabulary()
    organization = ensure_agency_organization(agency=p.housing)
    service = Service.objects.create(organization=organization, name="Tenancy Sustainment")
    ServiceArea.objects.create(service=service, name=load_geography().county)
    Attribute.objects.create(service=service, taxonomy_term_id=term_id(NEEDS, "secure_housing"))
    return service


def test_a_referral_from_a_suggestion_records_what_was_offered(monkeypatch: Any) -> None:
    from wraparound.referrals import views
    from wraparound.referrals.suggestions import FamilyFit

    p = partnership()
    service = _housing_service(p)
    monkeypatch.setattr(views, "family_fit", lambda **_: FamilyFit(["secure_housing"], [7.0], ""))
    client = signed_in(p.sender)
    page = client.get(reverse("referrals:new"), {"family": FAMILY})
    [offered] = page.context["suggestions"]
    assert offered.name == "Tenancy Sustainment"
    assert page.context["form"].initial["needs"] == ["secure_housing"]

    form = {**FORM, "to_service_id": str(service.pk), "suggested": "1"}
    assert client.post(reverse("referrals:new"), form).status_code == 302
    changing = client.get(reverse("referrals:new"), {"family": FAMILY, "change": "1"})
    assert changing.context["form"].initial["reason"] == FORM["reason"]  # answers kept
    client.post(reverse("referrals:check"))
    referral = Referral.objects.get()
    assert referral.to_service == service
    assert referral.to_agency == p.housing
    assert referral.suggestion["rank"] == 1
    assert referral.suggestion["offered"] == [str(service.pk)]


def test_a_forged_suggestion_rank_is_not_recorded() -> None:
    p = partnership()
    service = _housing_service(p)
    client = signed_in(p.sender)
    form = {**FORM, "to_service_id": str(service.pk), "suggested": "3"}
    client.post(reverse("referrals:new"), form)
    client.post(reverse("referrals:check"))
    assert Referral.objects.get().suggestion == {}
