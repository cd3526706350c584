"""Irreversible steps go through "check your answers": making a claim, validating it, and
internal audit's spot check; an auditor never sees a claim they made or validated."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from wraparound.core.models import Role
from wraparound.core.tests.factories import signed_in
from wraparound.outcomes import services
from wraparound.outcomes.models import Claim, ClaimStatus
from wraparound.outcomes.tests.builders import (
    StoryFamily,
    claimable_baseline,
    story_family,
    validated_claim,
)
from wraparound.sharing.models import AuditEntry, AuditOutcome
from wraparound.sharing.tests import factories as sharing

pytestmark = pytest.mark.django_db


def _sampled(story: StoryFamily) -> Claim:
    claim = validated_claim(story)
    services.sample_for_audit(by=story.auditor, period=claim.period)
    claim.refresh_from_db()
    return claim


def _summary_links(body: str) -> list[str]:
    summary = body.split('data-testid="error-summary"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="#([^"]+)"', summary)


def test_making_a_claim_shows_what_will_be_sealed_before_sealing_it() -> None:
    story = story_family()
    baseline = claimable_baseline(story)
    client = signed_in(story.practitioner)
    url = reverse("outcomes:make-claim", kwargs={"pk": baseline.pk})
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "Check your answers before making the claim" in body
    assert "Make the claim" in body
    assert not Claim.objects.exists(), "looking at the check page makes no claim"
    assert client.post(url).status_code == 302
    claim = Claim.objects.get()
    assert claim.status == ClaimStatus.CANDIDATE
    again = client.get(url, follow=True).content.decode()
    assert "already been claimed" in again


def test_a_manager_checks_a_claim_before_validating_it() -> None:
    story = story_family()
    baseline = claimable_baseline(story)
    claim = services.make_claim(by=story.practitioner, baseline=baseline)
    manager = signed_in(story.manager)
    listed = manager.get(reverse("outcomes:claims")).content.decode()
    check = f"{reverse('outcomes:validate-claim')}?claim={claim.pk}"
    assert check in listed
    page = manager.get(check)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Check the claim before validating it" in body
    assert "unchanged" in body
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CANDIDATE
    manager.post(reverse("outcomes:validate-claim"), {"claim": claim.pk})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.VALIDATED
    assert manager.get(f"{reverse('outcomes:validate-claim')}?claim=nope").status_code == 404


def test_the_spot_check_error_summary_links_to_each_unanswered_question() -> None:
    story = story_family()
    claim = _sampled(story)
    url = reverse("outcomes:audit", kwargs={"pk": claim.pk})
    response = signed_in(story.auditor).post(url, {"eligibility": "yes"})
    assert response.status_code == 400
    body = response.content.decode()
    assert _summary_links(body) == ["id_whole_family_0", "id_evidence_0"]
    assert 'id="id_whole_family_0"' in body
    assert 'id="id_evidence_0"' in body
    assert "<title>Error:" in body


def test_a_no_answer_needs_a_note_and_the_summary_links_to_it() -> None:
    story = story_family()
    claim = _sampled(story)
    url = reverse("outcomes:audit", kwargs={"pk": claim.pk})
    answers = {"eligibility": "yes", "whole_family": "yes", "evidence": "no"}
    response = signed_in(story.auditor).post(url, answers)
    assert response.status_code == 400
    assert _summary_links(response.content.decode()) == ["id_note"]


def test_a_failed_spot_check_is_checked_then_rejects_the_claim() -> None:
    story = story_family()
    claim = _sampled(story)
    auditor = signed_in(story.auditor)
    url = reverse("outcomes:audit", kwargs={"pk": claim.pk})
    answers = {"eligibility": "yes", "whole_family": "no", "evidence": "yes", "note": "No plan."}
    assert auditor.post(url, answers).status_code == 302
    check = auditor.get(reverse("outcomes:audit-check", kwargs={"pk": claim.pk}))
    body = check.content.decode()
    assert "Check your answers before recording the spot check" in body
    assert "recording it rejects claim" in body
    assert "No plan." in body
    assert f'href="{url}#id_whole_family_0"' in body, "each answer can be changed"
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SAMPLED
    auditor.post(reverse("outcomes:audit-check", kwargs={"pk": claim.pk}))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED
    assert claim.audit_answers["note"] == "No plan."
    # Recorded: the check page has nothing left to check.
    after = auditor.get(reverse("outcomes:audit-check", kwargs={"pk": claim.pk}))
    assert after.status_code == 302


def test_the_check_page_without_answers_goes_back_to_the_questions() -> None:
    story = story_family()
    claim = _sampled(story)
    response = signed_in(story.auditor).post(
        reverse("outcomes:audit-check", kwargs={"pk": claim.pk})
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.audit_answers == {}


def test_the_evidence_pack_page_shows_plan_reviews_closure_pointers_and_the_chain_link() -> None:
    story = story_family()
    claim = _sampled(story)
    body = signed_in(story.auditor).get(reverse("outcomes:audit", kwargs={"pk": claim.pk}))
    text = body.content.decode()
    seal = AuditEntry.objects.get(sequence=claim.audit_sequence)
    assert seal.entry_hash in text
    assert seal.prev_hash in text
    assert claim.pack_hash in text
    pointer = claim.evidence_pack["needs"][0]["evidence"][0]
    assert pointer["event_key"] in text
    assert pointer["event_date"] in text
    assert "Hartshire Constabulary" in text  # the source, by name
    assert 'data-testid="reviews"' in text
    assert "TAF review" in text
    assert "Support ended (closure)" in text
    assert claim.evidence_pack["closure"]["support_ended_on"] in text


def test_an_auditor_cannot_see_a_claim_they_validated() -> None:
    """Roles change: the manager who validated a claim later joins internal audit."""
    story = story_family()
    claim = _sampled(story)
    former_manager = story.manager
    former_manager.role = Role.AUDITOR
    former_manager.save(update_fields=["role"])
    client = signed_in(former_manager)
    home = client.get(reverse("outcomes:audit-home")).content.decode()
    assert reverse("outcomes:audit", kwargs={"pk": claim.pk}) not in home
    before = AuditEntry.objects.count()
    assert client.get(reverse("outcomes:audit", kwargs={"pk": claim.pk})).status_code == 403
    denied = AuditEntry.objects.order_by("-sequence").first()
    assert AuditEntry.objects.count() == before + 1
    assert denied is not None
    assert denied.outcome == AuditOutcome.DENY
    answers = dict.fromkeys(services.AUDIT_QUESTIONS, "yes")
    client.post(reverse("outcomes:audit", kwargs={"pk": claim.pk}), answers)
    assert client.post(reverse("outcomes:audit-check", kwargs={"pk": claim.pk})).status_code == 403
    claim.refresh_from_db()
    assert claim.audit_answers == {}
    # Another auditor opens it.
    other = sharing.worker(story.early_help, Role.AUDITOR)
    assert (
        signed_in(other).get(reverse("outcomes:audit", kwargs={"pk": claim.pk})).status_code == 200
    )


def test_an_auditor_cannot_see_a_claim_they_made() -> None:
    story = story_family()
    claim = _sampled(story)
    Claim.objects.filter(pk=claim.pk).update(created_by=story.auditor)
    client = signed_in(story.auditor)
    assert client.get(reverse("outcomes:audit", kwargs={"pk": claim.pk})).status_code == 403
    home = client.get(reverse("outcomes:audit-home")).content.decode()
    assert "No claims have been sampled yet." in home


def test_an_auditor_the_claiming_agency_shares_no_casework_with_is_refused_the_pack() -> None:
    """The sample is internal audit's scope, but the pack (needs, plan, reviews, closure) is
    the claiming agency's casework record: without an agreement sharing it, nothing shows."""
    story = story_family()
    claim = _sampled(story)
    outsider = sharing.worker(story.police, Role.AUDITOR)
    response = signed_in(outsider).get(reverse("outcomes:audit", kwargs={"pk": claim.pk}))
    assert response.status_code == 403
    body = response.content.decode()
    assert claim.pack_hash not in body
    assert "TAF review" not in body
    denied = AuditEntry.objects.filter(actor_id=outsider.pk)
    assert denied.count() == 1
