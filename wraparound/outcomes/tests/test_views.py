"""The pages: a review shows proposals with their records, the auditor's sample, exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from wraparound.core.models import Role
from wraparound.core.tests.factories import signed_in
from wraparound.outcomes import services
from wraparound.outcomes.models import ClaimStatus
from wraparound.outcomes.services import StatusEntry
from wraparound.outcomes.tests.builders import (
    POLICE_INCIDENTS,
    StoryFamily,
    story_family,
    validated_claim,
)
from wraparound.sharing.models import AuditEntry
from wraparound.sharing.tests import factories as sharing

pytestmark = pytest.mark.django_db


def _baseline(story: StoryFamily):  # type: ignore[no-untyped-def]
    return services.fix_baseline(
        by=story.practitioner, family_public_id=story.family_public_id, engaged_on=story.engaged_on
    )


def test_the_review_page_proposes_statuses_and_lists_the_records_read() -> None:
    story = story_family()
    baseline = _baseline(story)
    before = AuditEntry.objects.count()
    response = signed_in(story.practitioner).get(
        reverse("outcomes:review", kwargs={"pk": baseline.pk})
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Proposed from data" in body
    assert body.count("hartshire-police:incidents:") == len(POLICE_INCIDENTS)
    assert AuditEntry.objects.count() - before == 1


def test_where_the_data_cannot_tell_yet_the_review_page_says_so_and_preselects_nothing() -> None:
    """A fortnight after engagement no need has been quiet long enough to judge: the page says
    "Cannot tell yet" and leaves every status for the practitioner to choose."""
    story = story_family()
    baseline = _baseline(story)
    fortnight = story.engaged_on + dt.timedelta(days=14)
    body = (
        signed_in(story.practitioner)
        .get(reverse("outcomes:review", kwargs={"pk": baseline.pk}), {"on": fortnight})
        .content.decode()
    )
    assert 'Proposed from data: <strong class="wa-proposed-status">Cannot tell yet' in body
    assert " checked>" not in body
    later = signed_in(story.practitioner).get(
        reverse("outcomes:review", kwargs={"pk": baseline.pk})
    )
    assert " checked>" in later.content.decode()  # met where the data can say so


def test_recording_a_review_without_evidence_shows_the_errors_not_a_500() -> None:
    story = story_family()
    baseline = _baseline(story)
    need = baseline.baseline_needs.first()
    response = signed_in(story.practitioner).post(
        reverse("outcomes:review", kwargs={"pk": baseline.pk}),
        {f"status-{need.pk}": "met", "score": "lots"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Say what evidence" in body
    assert "A tool score is a number" in body
    # Each error in the summary links to the field it is about.
    assert f'<a href="#evidence-{need.pk}">Say what evidence' in body
    assert '<a href="#score">A tool score is a number' in body
    others = baseline.baseline_needs.exclude(pk=need.pk)
    assert all(f'<a href="#status-{n.pk}-worse">Choose a status' in body for n in others)
    assert "<title>Error:" in body


def test_recording_a_review_through_the_page() -> None:
    story = story_family()
    baseline = _baseline(story)
    data = {
        "reviewed_on": timezone.localdate().isoformat(),
        "tool": "Family Star Plus",
        "area": "Home and money",
        "score": "6",
    }
    for need in baseline.baseline_needs.all():
        data |= {f"status-{need.pk}": "improving", f"evidence-{need.pk}": "TAF review"}
    response = signed_in(story.practitioner).post(
        reverse("outcomes:review", kwargs={"pk": baseline.pk}), data
    )
    assert response.status_code == 302
    review = baseline.progress_reviews.get()
    assert review.tool_scores.get().score == 6


def test_a_worker_without_a_relationship_is_refused_the_outcomes_pages() -> None:
    story = story_family()
    baseline = _baseline(story)
    stranger = sharing.worker(story.early_help, username="no-relationship")
    client = signed_in(stranger)
    assert (
        client.get(
            reverse("outcomes:family", kwargs={"family_public_id": story.family_public_id})
        ).status_code
        == 403
    )
    assert client.get(reverse("outcomes:review", kwargs={"pk": baseline.pk})).status_code == 403


def test_the_family_page_shows_the_timeline_and_needs() -> None:
    story = story_family()
    baseline = _baseline(story)
    statuses = {n.pk: StatusEntry("improving", "TAF") for n in baseline.baseline_needs.all()}
    services.record_review(
        by=story.practitioner,
        baseline=baseline,
        reviewed_on=timezone.localdate(),
        statuses=statuses,
    )
    response = signed_in(story.practitioner).get(
        reverse("outcomes:family", kwargs={"family_public_id": story.family_public_id})
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Distance travelled" in body
    assert "Safe from domestic abuse" in body


def _submitted_claim(story: StoryFamily):  # type: ignore[no-untyped-def]
    """A validated claim internal audit has drawn into its sample."""
    claim = validated_claim(story)
    services.sample_for_audit(by=story.auditor, period=claim.period)
    claim.refresh_from_db()
    return claim


def test_the_auditor_opens_the_sample_and_its_evidence_pack_and_records_the_check() -> None:
    story = story_family()
    claim = _submitted_claim(story)
    client = signed_in(story.auditor)
    url = reverse("outcomes:audit", kwargs={"pk": claim.pk})
    body = client.get(url).content.decode()
    assert "pack unchanged" in body
    assert "1. Eligibility" in body
    assert "2. Whole-family working" in body
    assert "3. Claim evidence" in body
    assert claim.evidence_pack["needs"][0]["evidence"][0]["event_key"] in body
    assert client.post(url, {"eligibility": "yes"}).status_code == 400
    response = client.post(url, dict.fromkeys(services.AUDIT_QUESTIONS, "yes"))
    check = reverse("outcomes:audit-check", kwargs={"pk": claim.pk})
    assert response.status_code == 302
    assert response["Location"] == check
    claim.refresh_from_db()
    assert claim.audit_answers == {}, "nothing is recorded before the answers are checked"
    assert client.post(check).status_code == 302
    claim.refresh_from_db()
    assert claim.audit_answers["answers"]["evidence"] is True


def test_the_quarterly_return_downloads_without_naming_the_family() -> None:
    story = story_family()
    claim = _submitted_claim(story)
    services.record_spot_check(
        by=story.auditor, claim=claim, answers=dict.fromkeys(services.AUDIT_QUESTIONS, True)
    )
    services.submit_claims(by=story.manager, period=claim.period)
    sharing.agreement(
        parties=[story.early_help], shares=[], purposes=["outcomes_evaluation_aggregate"]
    )
    for reader in (story.manager, story.auditor):
        response = signed_in(reader).get(
            reverse("outcomes:return", kwargs={"period": claim.period})
        )
        assert response.status_code == 200
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert [r["status"] for r in rows] == [ClaimStatus.SUBMITTED]
        assert rows[0]["pack_sha256"] == claim.pack_hash
        assert story.family_public_id not in response.content.decode()


def test_the_auditors_page_lists_the_sample_and_draws_the_next_one() -> None:
    story = story_family()
    claim = validated_claim(story)
    auditor = signed_in(story.auditor)
    home = auditor.get(reverse("outcomes:audit-home")).content.decode()
    assert f'Draw the sample<span class="govuk-visually-hidden"> for {claim.period}' in home
    assert "No claims have been sampled yet." in home
    assert auditor.get(reverse("outcomes:audit", kwargs={"pk": claim.pk})).status_code == 404
    drawn = auditor.post(reverse("outcomes:draw-sample"), {"period": claim.period}, follow=True)
    body = drawn.content.decode()
    assert f"1 claim(s) of {claim.period} drawn for internal audit." in body
    assert f'Open sample<span class="govuk-visually-hidden"> claim {claim.pk}' in body
    assert auditor.get(reverse("outcomes:audit", kwargs={"pk": claim.pk})).status_code == 200
    assert signed_in(story.manager).get(reverse("outcomes:audit-home")).status_code == 403


def test_the_sample_offers_no_link_to_a_claim_the_auditor_cannot_open_and_says_why() -> None:
    story = story_family()
    claim = validated_claim(story)
    services.sample_for_audit(by=story.auditor, period=claim.period)
    police_auditor = signed_in(sharing.worker(story.police, Role.AUDITOR, username="pc-audit"))
    open_url = reverse("outcomes:audit", kwargs={"pk": claim.pk})
    body = police_auditor.get(reverse("outcomes:audit-home")).content.decode()
    assert "Cannot be opened" in body
    assert "Early Help does not share its casework records with you" in body
    assert open_url not in body
    assert police_auditor.get(open_url).status_code == 403
    assert open_url in signed_in(story.auditor).get(reverse("outcomes:audit-home")).content.decode()


def test_the_auditors_home_page_says_what_waits_for_them() -> None:
    story = story_family()
    claim = _submitted_claim(story)
    body = signed_in(story.auditor).get(reverse("core:home")).content.decode()
    assert "Sampled claims waiting for your spot check" in body
    assert reverse("outcomes:audit-home") in body
    assert claim.family_public_id not in body  # counts only


def test_a_team_manager_checks_the_answers_before_the_return_is_submitted() -> None:
    story = story_family()
    claim = _submitted_claim(story)
    services.record_spot_check(
        by=story.auditor, claim=claim, answers=dict.fromkeys(services.AUDIT_QUESTIONS, True)
    )
    manager = signed_in(story.manager)
    start = reverse("outcomes:submit-return")
    assert manager.get(reverse("outcomes:check-return")).status_code == 302  # nothing chosen
    missing = manager.post(start, {})
    assert missing.status_code == 400
    assert "Answer “Which quarter are you submitting?”" in missing.content.decode()
    answered = manager.post(start, {"period": claim.period, "note": "Signed off by the head."})
    assert answered.status_code == 302
    check = manager.get(answered.url)
    body = check.content.decode()
    assert f"Check your answers before submitting the {claim.period} return" in body
    assert "Signed off by the head." in body
    assert f'href="{start}#id_period_0"' in body  # a change link back to the answer
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SAMPLED  # nothing submitted by checking
    unconfirmed = manager.post(answered.url, {})
    assert unconfirmed.status_code == 400
    assert "Tick to confirm" in unconfirmed.content.decode()
    done = manager.post(answered.url, {"confirm": "on"}, follow=True)
    assert f"1 claim(s) submitted in the {claim.period} return." in done.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    last = claim.claim_transitions.order_by("-pk").first()
    assert last.note == "Included in the quarterly return. Signed off by the head."


def test_the_return_cannot_be_submitted_while_the_sample_is_unchecked() -> None:
    story = story_family()
    claim = _submitted_claim(story)
    manager = signed_in(story.manager)
    manager.post(reverse("outcomes:submit-return"), {"period": claim.period})
    body = manager.get(reverse("outcomes:check-return")).content.decode()
    assert "cannot be submitted until internal audit has checked every sampled claim" in body
    refused = manager.post(reverse("outcomes:check-return"), {"confirm": "on"})
    assert refused.status_code == 400
    assert "Finish the internal audit" in refused.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SAMPLED


def test_the_return_is_refused_without_an_aggregate_agreement() -> None:
    story = story_family()
    response = signed_in(story.manager).get(
        reverse("outcomes:return", kwargs={"period": "2026-Q1"})
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(
        outcome="deny", purpose="outcomes_evaluation_aggregate"
    ).exists()


def test_a_malformed_period_is_a_404_not_a_500() -> None:
    manager = sharing.worker(sharing.agency("early_help"), Role.TEAM_MANAGER)
    assert (
        signed_in(manager).get(reverse("outcomes:return", kwargs={"period": "soon"})).status_code
        == 404
    )


def test_the_cohort_dashboard_suppresses_small_numbers() -> None:
    story = story_family()
    _baseline(story)
    sharing.agreement(
        parties=[story.early_help], shares=[], purposes=["outcomes_evaluation_aggregate"]
    )
    client = signed_in(story.manager)
    body = client.get(reverse("outcomes:dashboard")).content.decode()
    assert "&lt;5" in body
    exported = client.get(reverse("outcomes:dashboard-export", kwargs={"fmt": "json"})).json()
    assert exported["tables"]["lead_agency"][0]["families"] == "<5"


def test_evaluation_reads_per_family_results_only_under_an_aggregate_agreement() -> None:
    from wraparound.outcomes.reports import family_outcome_results
    from wraparound.outcomes.selectors import OutcomesAccessError

    story = story_family()
    _submitted_claim(story)
    start, end = story.engaged_on, story.engaged_on
    with pytest.raises(OutcomesAccessError):
        family_outcome_results(user=story.manager, start=start, end=end)
    sharing.agreement(
        parties=[story.early_help], shares=[], purposes=["outcomes_evaluation_aggregate"]
    )
    [result] = family_outcome_results(user=story.manager, start=start, end=end)
    assert result.family_public_id == story.family_public_id
    assert (result.needs, result.needs_met, result.needs_sustained) == (3, 3, 3)
    assert result.achieved
    assert result.claim_status == ClaimStatus.SAMPLED


def test_fixing_a_baseline_from_the_family_page() -> None:
    story = story_family()
    client = signed_in(story.practitioner)
    page = client.get(
        reverse("outcomes:family", kwargs={"family_public_id": story.family_public_id})
    )
    assert "Fix baseline" in page.content.decode()
    url = reverse("outcomes:fix-baseline")
    bad = client.post(
        url, {"family_public_id": story.family_public_id, "engaged_on": "last spring"}, follow=True
    )
    assert "Enter the date the family engaged" in bad.content.decode()
    client.post(
        url,
        {"family_public_id": story.family_public_id, "engaged_on": story.engaged_on.isoformat()},
    )
    from wraparound.outcomes.models import Baseline

    baseline = Baseline.objects.get(family_public_id=story.family_public_id)
    assert baseline.baseline_needs.count() == 3
    stranger = sharing.worker(story.early_help, username="not-theirs")
    refused = signed_in(stranger).post(
        url, {"family_public_id": story.family_public_id, "engaged_on": "2026-01-01"}
    )
    assert refused.status_code == 403


def test_equivalent_progress_is_recorded_by_the_practitioner_and_approved_by_a_manager() -> None:
    story = story_family()
    baseline = _baseline(story)
    url = reverse("outcomes:equivalent-progress", kwargs={"pk": baseline.pk})
    family = reverse("outcomes:family", kwargs={"family_public_id": story.family_public_id})
    practitioner, manager = signed_in(story.practitioner), signed_in(story.manager)
    blank = practitioner.post(url, {"reason": ""}, follow=True).content.decode()
    assert "Give the reason" in blank
    practitioner.post(url, {"reason": "Moved county; the new school confirms it."})
    assert "Awaiting a team manager" in manager.get(family).content.decode()
    assert "Approved by" in manager.post(url, {"approve": "1"}, follow=True).content.decode()
