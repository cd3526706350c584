"""Baseline, review with data proposals, sustained progress and the claims pipeline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from wraparound.core.models import Role
from wraparound.outcomes import selectors, services
from wraparound.outcomes.models import Claim, ClaimStatus
from wraparound.outcomes.rules import ProgressStatus
from wraparound.outcomes.services import OutcomesError, StatusEntry
from wraparound.outcomes.tests.builders import (
    POLICE_INCIDENTS,
    StoryFamily,
    add_event,
    story_family,
)
from wraparound.sharing.gate import FamilyNotVisibleError
from wraparound.sharing.models import AuditEntry, SharedCategory
from wraparound.sharing.tests import factories as sharing

pytestmark = pytest.mark.django_db


def _baseline(story: StoryFamily):  # type: ignore[no-untyped-def]
    return services.fix_baseline(
        by=story.practitioner,
        family_public_id=story.family_public_id,
        engaged_on=story.engaged_on,
        service="Family Help",
    )


def _review_all(story: StoryFamily, baseline, status: str, on: dt.date | None = None):  # type: ignore[no-untyped-def]
    statuses = {
        n.pk: StatusEntry(status, "Seen at the TAF review.") for n in baseline.baseline_needs.all()
    }
    return services.record_review(
        by=story.practitioner,
        baseline=baseline,
        reviewed_on=on or timezone.localdate(),
        statuses=statuses,
    )


def test_the_baseline_fixes_each_flagged_need_with_its_evidence() -> None:
    story = story_family()
    baseline = _baseline(story)
    needs = {n.descriptor: n for n in baseline.baseline_needs.all()}
    assert set(needs) == {"domestic_abuse", "school_attendance", "tenancy_at_risk"}
    assert len(needs["domestic_abuse"].evidence) == len(POLICE_INCIDENTS)
    assert needs["domestic_abuse"].evidence[0]["agency_slug"] == "hartshire-police"


def test_a_practitioner_without_a_relationship_cannot_fix_a_baseline() -> None:
    story = story_family()
    stranger = sharing.worker(story.early_help, username="stranger")
    with pytest.raises(FamilyNotVisibleError):
        services.fix_baseline(
            by=stranger, family_public_id=story.family_public_id, engaged_on=story.engaged_on
        )


def test_proposals_come_from_the_records_read_and_name_them() -> None:
    story = story_family()
    baseline = _baseline(story)
    proposals = {
        p.descriptor.key: p
        for p in selectors.review_proposals(
            user=story.practitioner, baseline=baseline, review_on=timezone.localdate()
        )
    }
    assert proposals["domestic_abuse"].proposal.status == ProgressStatus.MET
    assert proposals["tenancy_at_risk"].proposal.status == ProgressStatus.MET
    assert proposals["school_attendance"].proposal.status != ProgressStatus.MET
    read = proposals["domestic_abuse"].records
    assert [r.agency_slug for r in read] == ["hartshire-police"] * len(POLICE_INCIDENTS)
    assert all(r.event_key.startswith("hartshire-police:incidents:") for r in read)


def test_proposals_use_only_what_the_agreement_shares_and_count_the_rest() -> None:
    story = story_family("F-STORY002")
    baseline = _baseline(story)
    # After the baseline, the partnership stops sharing school data for outcomes review.
    SharedCategory.objects.filter(providing_agency=story.school).delete()
    proposals = {
        p.descriptor.key: p
        for p in selectors.review_proposals(
            user=story.practitioner, baseline=baseline, review_on=timezone.localdate()
        )
    }
    school = proposals["school_attendance"]
    assert school.records == []
    assert school.withheld == 3


def test_a_review_records_the_practitioners_status_beside_the_proposal() -> None:
    story = story_family()
    baseline = _baseline(story)
    review = _review_all(story, baseline, ProgressStatus.IMPROVING)
    rows = {r.need.descriptor: r for r in review.need_statuses.select_related("need")}
    assert rows["domestic_abuse"].status == "improving"
    assert rows["domestic_abuse"].proposed_status == "met"
    assert rows["domestic_abuse"].records_read[0]["agency_slug"] == "hartshire-police"


def test_a_review_without_evidence_for_a_need_is_refused() -> None:
    story = story_family()
    baseline = _baseline(story)
    statuses = {n.pk: StatusEntry("met", "") for n in baseline.baseline_needs.all()}
    with pytest.raises(OutcomesError, match="Say what evidence"):
        services.record_review(
            by=story.practitioner,
            baseline=baseline,
            reviewed_on=timezone.localdate(),
            statuses=statuses,
        )


def _claimable(story: StoryFamily):  # type: ignore[no-untyped-def]
    """All needs met at a review and support ended long enough ago for the windows to pass."""
    baseline = _baseline(story)
    school = story.records["school"]
    school.events.filter(kind="persistent_absence", event_date__gt=story.engaged_on).delete()
    _review_all(story, baseline, ProgressStatus.MET, on=story.engaged_on + dt.timedelta(days=185))
    services.end_support(
        by=story.practitioner, baseline=baseline, ended_on=story.engaged_on + dt.timedelta(days=190)
    )
    return baseline


def test_an_outcome_is_achieved_only_when_every_need_is_met_and_sustained() -> None:
    story = story_family()
    baseline = _claimable(story)
    assert selectors.assess_outcome(user=story.practitioner, baseline=baseline).achieved
    add_event(story.records["housing"], "rent_arrears", story.engaged_on + dt.timedelta(days=200))
    assessment = selectors.assess_outcome(user=story.practitioner, baseline=baseline)
    assert not assessment.achieved
    assert "inside the window" in assessment.reason


def test_no_claim_while_a_need_is_not_met() -> None:
    story = story_family()
    baseline = _baseline(story)
    _review_all(story, baseline, ProgressStatus.IMPROVING)
    with pytest.raises(OutcomesError, match="Not met at the last review"):
        services.make_claim(by=story.practitioner, baseline=baseline)


def test_equivalent_progress_counts_only_once_another_team_manager_approves_it() -> None:
    story = story_family()
    baseline = _baseline(story)
    with pytest.raises(OutcomesError, match="Give the reason"):
        services.record_equivalent_progress(by=story.practitioner, baseline=baseline, reason=" ")
    services.record_equivalent_progress(
        by=story.manager, baseline=baseline, reason="Moved county; the new school confirms it."
    )
    assert not selectors.assess_outcome(user=story.practitioner, baseline=baseline).achieved
    with pytest.raises(OutcomesError, match="other than the person who recorded it"):
        services.approve_equivalent_progress(by=story.manager, baseline=baseline)
    with pytest.raises(OutcomesError, match="Only a team manager"):
        services.approve_equivalent_progress(by=story.practitioner, baseline=baseline)
    with pytest.raises(OutcomesError, match="Only a team manager"):
        services.approve_equivalent_progress(by=story.auditor, baseline=baseline)
    colleague = sharing.worker(story.early_help, Role.TEAM_MANAGER, username="second-manager")
    services.approve_equivalent_progress(by=colleague, baseline=baseline)
    assessment = selectors.assess_outcome(user=story.practitioner, baseline=baseline)
    assert assessment.achieved
    assert assessment.basis == "equivalent_progress"


def test_a_claim_freezes_its_evidence_pack_and_seals_it_in_the_audit_chain() -> None:
    story = story_family()
    baseline = _claimable(story)
    claim = services.make_claim(by=story.practitioner, baseline=baseline)
    assert claim.status == ClaimStatus.CANDIDATE
    entry = AuditEntry.objects.get(sequence=claim.audit_sequence)
    assert claim.pack_hash in entry.reason
    assert services.pack_intact(claim)
    assert {n["descriptor"] for n in claim.evidence_pack["needs"]} == {
        "domestic_abuse",
        "school_attendance",
        "tenancy_at_risk",
    }
    assert claim.evidence_pack["needs"][0]["evidence"][0]["event_key"]
    claim.evidence_pack["needs"][0]["last_status"] = "worse"
    claim.save()
    assert not services.pack_intact(claim)
    with pytest.raises(OutcomesError, match="no longer matches"):
        services.validate_claim(by=story.manager, claim=claim)


def test_a_family_is_never_claimed_twice_for_the_same_period() -> None:
    story = story_family()
    baseline = _claimable(story)
    claim = services.make_claim(by=story.practitioner, baseline=baseline)
    with pytest.raises(OutcomesError, match="already been claimed"):
        services.make_claim(by=story.practitioner, baseline=baseline)
    second = services.fix_baseline(
        by=story.practitioner,
        family_public_id=story.family_public_id,
        engaged_on=story.engaged_on + dt.timedelta(days=1),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            baseline=second,
            family_public_id=claim.family_public_id,
            period=claim.period,
            basis="sustained",
            lead_agency=claim.lead_agency,
            created_by=story.practitioner,
            evidence_pack={},
            pack_hash="x",
            audit_sequence=0,
            audit_entry_hash="x",
        )


def test_the_pipeline_runs_candidate_validated_sampled_submitted() -> None:
    story = story_family()
    claim = services.make_claim(by=story.practitioner, baseline=_claimable(story))
    with pytest.raises(OutcomesError, match="Only a team manager"):
        services.validate_claim(by=story.practitioner, claim=claim)
    services.validate_claim(by=story.manager, claim=claim)
    [sampled] = services.sample_for_audit(by=story.auditor, period=claim.period)
    with pytest.raises(OutcomesError, match="Finish the internal audit"):
        services.submit_claims(by=story.manager, period=claim.period)
    _pack_claim, visible, withheld = selectors.claim_for_audit(
        user=story.auditor, claim_id=sampled.pk
    )
    assert withheld == 0
    assert visible
    services.record_spot_check(
        by=story.auditor, claim=sampled, answers=dict.fromkeys(services.AUDIT_QUESTIONS, True)
    )
    [submitted] = services.submit_claims(by=story.manager, period=claim.period)
    assert submitted.status == ClaimStatus.SUBMITTED
    assert list(submitted.claim_transitions.values_list("to_status", flat=True)) == [
        "candidate",
        "validated",
        "sampled",
        "submitted",
    ]


def test_a_failed_spot_check_rejects_the_claim_with_the_reason() -> None:
    story = story_family()
    claim = services.make_claim(by=story.practitioner, baseline=_claimable(story))
    services.validate_claim(by=story.manager, claim=claim)
    [sampled] = services.sample_for_audit(by=story.auditor, period=claim.period)
    answers = dict.fromkeys(services.AUDIT_QUESTIONS, True) | {"whole_family": False}
    with pytest.raises(OutcomesError, match="Say why"):
        services.record_spot_check(by=story.auditor, claim=sampled, answers=answers)
    rejected = services.record_spot_check(
        by=story.auditor, claim=sampled, answers=answers, note="No plan on file."
    )
    assert rejected.status == ClaimStatus.REJECTED


def test_a_window_the_schools_data_do_not_yet_reach_is_pending_not_sustained() -> None:
    story = story_family()
    baseline = _claimable(story)
    story.records["school"].events.filter(kind="other").delete()
    assessment = selectors.assess_outcome(user=story.practitioner, baseline=baseline)
    assert not assessment.achieved
    assert "the data cover it up to" in assessment.reason


def test_team_managers_make_and_validate_claims_but_do_not_audit_them() -> None:
    story = story_family()
    claim = services.make_claim(by=story.manager, baseline=_claimable(story))
    with pytest.raises(OutcomesError, match="Only a team manager"):
        services.validate_claim(by=story.auditor, claim=claim)
    colleague = sharing.worker(story.early_help, Role.TEAM_MANAGER, username="validator")
    services.validate_claim(by=colleague, claim=claim)
    with pytest.raises(OutcomesError, match="Only an internal auditor"):
        services.sample_for_audit(by=story.manager, period=claim.period)
    [sampled] = services.sample_for_audit(by=story.auditor, period=claim.period)
    with pytest.raises(OutcomesError, match="Only an internal auditor"):
        services.record_spot_check(
            by=colleague, claim=sampled, answers=dict.fromkeys(services.AUDIT_QUESTIONS, True)
        )


def test_nobody_audits_a_claim_they_made_or_validated_even_after_a_change_of_role() -> None:
    story = story_family()
    claim = services.make_claim(by=story.practitioner, baseline=_claimable(story))
    services.validate_claim(by=story.manager, claim=claim)
    [sampled] = services.sample_for_audit(by=story.auditor, period=claim.period)
    for person, why in ((story.manager, "they validated"), (story.practitioner, "they made")):
        person.role = Role.AUDITOR  # moved to internal audit after working the claim
        person.save(update_fields=["role"])
        with pytest.raises(OutcomesError, match=why):
            services.record_spot_check(
                by=person, claim=sampled, answers=dict.fromkeys(services.AUDIT_QUESTIONS, True)
            )


def test_an_auditor_does_not_sample_claims_they_validated_before_moving_to_audit() -> None:
    story = story_family()
    claim = services.make_claim(by=story.practitioner, baseline=_claimable(story))
    services.validate_claim(by=story.manager, claim=claim)
    story.manager.role = Role.AUDITOR
    story.manager.save(update_fields=["role"])
    with pytest.raises(OutcomesError, match="No validated claims"):
        services.sample_for_audit(by=story.manager, period=claim.period)
    assert services.sample_for_audit(by=story.auditor, period=claim.period)


def test_internal_audit_opens_only_claims_in_its_sample() -> None:
    story = story_family()
    claim = services.make_claim(by=story.practitioner, baseline=_claimable(story))
    services.validate_claim(by=story.manager, claim=claim)
    with pytest.raises(Claim.DoesNotExist, match="in the internal-audit sample"):
        selectors.claim_for_audit(user=story.auditor, claim_id=claim.pk)
    assert selectors.audit_work(user=story.auditor).sampled == []
    services.sample_for_audit(by=story.auditor, period=claim.period)
    work = selectors.audit_work(user=story.auditor)
    assert [c.pk for c in work.sampled] == [claim.pk]
    opened, _visible, _withheld = selectors.claim_for_audit(user=story.auditor, claim_id=claim.pk)
    assert opened.pk == claim.pk
    entry = AuditEntry.objects.filter(actor_id=story.auditor.pk).order_by("-sequence").first()
    assert (entry.purpose, entry.relationship) == ("claim_assurance", "internal_audit")


def test_the_sample_list_says_which_claims_cannot_be_opened_and_why_before_they_are_opened() -> (
    None
):
    """A police internal auditor may check claims, but no agreement shares early help's
    casework with the police for claim assurance: the list says so, in the words opening
    the claim would refuse with, rather than offering a link that ends in a refusal."""
    story = story_family()
    claim = services.make_claim(by=story.practitioner, baseline=_claimable(story))
    services.validate_claim(by=story.manager, claim=claim)
    services.sample_for_audit(by=story.auditor, period=claim.period)
    police_auditor = sharing.worker(story.police, Role.AUDITOR, username="police-auditor")

    assert selectors.audit_work(user=story.auditor).refused == {}
    work = selectors.audit_work(user=police_auditor)
    assert [c.pk for c, _ in work.rows] == [claim.pk]
    listed = work.refused[claim.pk]
    assert "Early Help does not share its casework records with you" in listed
    with pytest.raises(FamilyNotVisibleError) as opened:
        selectors.claim_for_audit(user=police_auditor, claim_id=claim.pk)
    assert str(opened.value) == listed


def test_a_team_manager_cannot_read_a_family_for_claim_assurance() -> None:
    story = story_family()
    with pytest.raises(FamilyNotVisibleError, match="internal auditors do"):
        gate_open(story.manager, story.family_public_id)
    assert gate_open(story.auditor, story.family_public_id).need_to_know == "internal_audit"


def gate_open(user, family_public_id: str):  # type: ignore[no-untyped-def]
    from wraparound.sharing import gate

    return gate.open_family(
        user=user, family_public_id=family_public_id, purpose=selectors.ASSURANCE_PURPOSE
    )
