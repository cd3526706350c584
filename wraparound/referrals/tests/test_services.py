"""Referral actions: who may do what, the relationships they start and end, the audit trail
and the notifications, as a specification of the service layer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django_fsm_log.models import StateLog

from wraparound.notifications.models import Notification
from wraparound.referrals import services
from wraparound.referrals.models import Referral, State
from wraparound.referrals.rules import ReferralConflictError, ReferralError, ReferralInvalidError
from wraparound.referrals.tests.builders import FAMILY, TUESDAY, draft, partnership
from wraparound.sharing.models import AuditAction, AuditEntry, AuditOutcome, ConsentRecord
from wraparound.sharing.policy import visible_families

pytestmark = pytest.mark.django_db


def _send(p, **changes) -> Referral:  # type: ignore[no-untyped-def]
    return services.send_referral(by=p.sender, draft=draft(p, **changes), now=TUESDAY)


def test_sending_gives_the_receiving_agency_need_to_know_and_tells_its_front_door(
    django_capture_on_commit_callbacks,
) -> None:
    p = partnership()
    with django_capture_on_commit_callbacks(execute=True):
        referral = _send(p)

    assert referral.state == State.SENT
    assert referral.reference == f"R-{referral.pk:05d}"
    assert FAMILY in visible_families(p.receiver, "early_help_coordination")
    assert FAMILY not in visible_families(p.outsider, "early_help_coordination")
    assert referral.pending_relationship.agency == p.housing
    told = set(
        Notification.objects.filter(kind="referral_received").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"receiver", "housing-manager"}
    assert sorted(m.to[0] for m in mail.outbox) == ["hm@example.org", "receiver@example.org"]
    assert "Rent arrears" not in mail.outbox[0].body  # no personal data in email


def test_sending_is_audited_as_a_disclosure_of_the_shared_categories() -> None:
    p = partnership()
    referral = _send(p)
    entry = AuditEntry.objects.get(action=AuditAction.DISCLOSE, family_public_id=FAMILY)
    assert entry.actor_id == p.sender.pk
    assert {c["category"] for c in entry.categories} == {"identity", "early_help"}
    assert referral.reference in entry.reason
    assert entry.agreements == [f"{p.agreement.reference} v1"]


def test_consent_given_to_the_referral_is_recorded_for_its_purpose_and_categories() -> None:
    p = partnership()
    referral = _send(p)
    consent = ConsentRecord.objects.get(pk=referral.consent_record_id)
    assert consent.decision == "given"
    assert consent.given_by == "Mother"
    assert consent.purposes == ["early_help_coordination"]
    assert referral.lawful_basis.endswith("UK GDPR Article 6(1)(a): consent")
    # The party's lawful bases by their titles, not codes like ART6_1_E (shown on the page).
    assert referral.lawful_basis.startswith(
        f"{p.agreement.reference} v1 (UK GDPR Article 6(1)(e): public task)"
    )


def test_a_referral_without_consent_needs_a_condition_the_agreement_allows_and_a_reason() -> None:
    p = partnership(consent_required=True, conditions=("DPA_S1_P18_2_C",))
    with pytest.raises(ReferralInvalidError) as refused:
        _send(
            p,
            consent_basis="without_consent",
            no_consent_condition="VITAL_INTERESTS",
            no_consent_reason="x",
        )
    assert refused.value.errors["no_consent_condition"].endswith(
        "does not allow sharing without consent under UK GDPR Article 6(1)(d): vital interests; "
        "it allows: DPA 2018 Schedule 1 paragraph 18(2)(c): obtaining consent would prejudice "
        "the protection."
    )
    assert "no_consent_reason" in refused.value.errors
    referral = _send(
        p,
        consent_basis="without_consent",
        no_consent_condition="DPA_S1_P18_2_C",
        no_consent_reason="Asking the father would put the mother and children at risk.",
    )
    assert referral.no_consent_condition == "DPA_S1_P18_2_C"
    assert ConsentRecord.objects.get(pk=referral.consent_record_id).decision == "not_sought"


def test_not_required_only_when_the_agreement_does_not_rely_on_consent() -> None:
    p = partnership(consent_required=True)
    with pytest.raises(ReferralInvalidError, match="relies on consent"):
        _send(p, consent_basis="not_required")


def test_without_an_agreement_the_receiver_could_not_read_it_so_it_is_not_sent() -> None:
    p = partnership()
    with pytest.raises(ReferralInvalidError) as refused:
        _send(p, to_agency_id=p.police.pk)  # consent alone does not make it readable
    assert (
        "No sharing agreement in force between Early Help Hartshire and Hartshire Police"
        in (refused.value.errors["to_agency_id"])
    )


def test_an_agreement_that_does_not_share_the_senders_records_is_not_enough() -> None:
    p = partnership()
    from wraparound.sharing.tests import factories as sharing

    sharing.agreement(
        parties=[p.early_help, p.police],
        shares=[(p.police, "police")],
        purposes=["early_help_coordination"],
    )
    with pytest.raises(ReferralInvalidError, match="does not share early help information"):
        _send(p, to_agency_id=p.police.pk)


def test_every_problem_with_a_draft_is_reported_at_once() -> None:
    p = partnership()
    with pytest.raises(ReferralInvalidError) as refused:
        _send(p, reason="short", needs=["not_a_need"], urgency="whenever", shared_categories=[])
    assert set(refused.value.errors) >= {"reason", "needs", "urgency", "shared_categories"}


def test_a_practitioner_without_a_relationship_cannot_refer_and_the_refusal_is_audited() -> None:
    p = partnership()
    with pytest.raises(ReferralError, match="You cannot refer family"):
        services.send_referral(by=p.outsider, draft=draft(p), now=TUESDAY)
    assert AuditEntry.objects.filter(actor_id=p.outsider.pk, outcome=AuditOutcome.DENY).exists()
    assert not Referral.objects.exists()


def test_accepting_ends_the_pending_relationship_and_starts_the_receiving_one() -> None:
    p = partnership()
    referral = services.accept_referral(
        by=p.receiver, referral=_send(p), now=TUESDAY + dt.timedelta(hours=2)
    )
    referral.refresh_from_db()
    assert referral.state == State.ACCEPTED
    assert referral.decided_by == p.receiver
    assert referral.pending_relationship.ended_at is not None
    assert referral.receiving_relationship.ended_at is None
    assert referral.receiving_relationship.agency == p.housing
    assert Notification.objects.filter(recipient=p.sender, kind="referral_accepted").exists()


def test_only_the_receiving_agency_decides_never_the_sender() -> None:
    p = partnership()
    referral = _send(p)
    for person in (p.sender, p.sender_manager, p.outsider):
        with pytest.raises(ReferralError, match="Only Hartshire Homes"):
            services.accept_referral(by=person, referral=referral)
        # The refusal is audited, and survives the action's rollback.
        assert AuditEntry.objects.filter(
            actor_id=person.pk, outcome=AuditOutcome.DENY, reason__contains="Only Hartshire Homes"
        ).exists()
    assert Referral.objects.get(pk=referral.pk).state == State.SENT


def test_declining_needs_a_coded_reason_and_a_signpost_and_ends_need_to_know() -> None:
    p = partnership()
    referral = _send(p)
    with pytest.raises(ReferralInvalidError) as refused:
        services.decline_referral(
            by=p.receiver, referral=referral, reason_code="because", signpost=""
        )
    assert set(refused.value.errors) == {"decline_reason", "signpost"}
    declined = services.decline_referral(
        by=p.receiver,
        referral=referral,
        reason_code="threshold_not_met",
        signpost="Citizens Advice Hartshire debt advice, 01632 960000",
    )
    assert declined.state == State.DECLINED
    assert FAMILY not in visible_families(p.receiver, "early_help_coordination")
    note = Notification.objects.get(recipient=p.sender, kind="referral_declined")
    assert "Citizens Advice" in note.body


def test_information_request_pauses_then_restarts_the_decision_clock() -> None:
    p = partnership()
    referral = _send(p)
    first_due = referral.due_at
    asked = services.request_information(
        by=p.receiver,
        referral=referral,
        question="Is there a tenancy in the mother's name?",
        now=TUESDAY + dt.timedelta(days=1),
    )
    assert asked.state == State.INFORMATION_REQUESTED
    told = Notification.objects.filter(kind="referral_information_requested")
    assert {n.recipient for n in told} == {p.sender, p.sender_manager}  # the sending side
    assert "tenancy" in told[0].body  # the receiver's question, so the sender can answer
    answered = services.provide_information(
        by=p.sender,
        referral=asked,
        answer="Yes, a council tenancy since 2021.",
        now=TUESDAY + dt.timedelta(days=2),
    )
    assert answered.state == State.SENT
    assert answered.due_at > first_due
    assert Notification.objects.filter(
        recipient=p.receiver, kind="referral_information_provided"
    ).exists()


def test_withdrawing_an_accepted_referral_ends_the_receiving_relationship() -> None:
    p = partnership()
    accepted = services.accept_referral(by=p.receiver, referral=_send(p))
    withdrawn = services.withdraw_referral(
        by=p.sender_manager, referral=accepted, reason_code="needs_changed"
    )
    withdrawn.refresh_from_db()
    assert withdrawn.state == State.WITHDRAWN
    assert withdrawn.receiving_relationship.ended_at is not None
    assert FAMILY not in visible_families(p.receiver, "early_help_coordination")


def test_closing_needs_a_coded_reason_and_only_follows_acceptance() -> None:
    p = partnership()
    referral = _send(p)
    with pytest.raises(ReferralConflictError, match="you cannot close it now"):
        services.close_referral(by=p.receiver, referral=referral, reason_code="support_completed")
    accepted = services.accept_referral(by=p.receiver, referral=referral)
    with pytest.raises(ReferralInvalidError):
        services.close_referral(by=p.receiver, referral=accepted, reason_code="bored")
    closed = services.close_referral(
        by=p.receiver, referral=accepted, reason_code="support_completed"
    )
    assert closed.state == State.CLOSED
    assert closed.receiving_relationship.ended_at is not None


def test_a_decided_referral_cannot_be_decided_again() -> None:
    p = partnership()
    referral = services.accept_referral(by=p.receiver, referral=_send(p))
    with pytest.raises(ReferralConflictError, match="is accepted"):
        services.decline_referral(
            by=p.receiver_manager,
            referral=referral,
            reason_code="service_full",
            signpost="The waiting list at Homes First",
        )


def test_a_stale_copy_cannot_overwrite_a_decision_made_meanwhile() -> None:
    p = partnership()
    referral = _send(p)
    stale = Referral.objects.get(pk=referral.pk)
    services.accept_referral(by=p.receiver, referral=referral)
    with pytest.raises(ReferralConflictError):
        services.decline_referral(
            by=p.receiver_manager,
            referral=stale,
            reason_code="service_full",
            signpost="Waiting list at Homes First",
        )
    assert Referral.objects.get(pk=referral.pk).state == State.ACCEPTED


def test_every_transition_has_a_state_log_row_and_an_audit_entry() -> None:
    p = partnership()
    referral = _send(p)
    referral = services.request_information(
        by=p.receiver, referral=referral, question="Who else lives at the address?"
    )
    referral = services.provide_information(
        by=p.sender, referral=referral, answer="Only the mother and two children."
    )
    referral = services.accept_referral(by=p.receiver, referral=referral)
    logs = list(StateLog.objects.order_by("id").values_list("transition", "by_id"))
    assert logs == [
        ("send", p.sender.pk),
        ("request_information", p.receiver.pk),
        ("provide_information", p.sender.pk),
        ("accept", p.receiver.pk),
    ]
    reasons = list(
        AuditEntry.objects.filter(reason__startswith=f"Referral {referral.reference}")
        .order_by("sequence")
        .values_list("reason", flat=True)
    )
    assert [r.split(": ", 1)[1] for r in reasons] == [
        "sent (information disclosed)",
        "more information requested",
        "information provided",
        "accepted",
    ]
