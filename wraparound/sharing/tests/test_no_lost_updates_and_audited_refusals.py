"""Governance records carry a version; every refusal is audited (finding 10 of issue 11).

Found: two IG officers editing one draft agreement, the second save silently reverted the
first; 312 refusals by role (matching, subject access, audit, exports, records pages) never
appeared in the denied-access report.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from wraparound.core.models import AgencyKind, Role
from wraparound.core.tests.factories import signed_in
from wraparound.sharing.models import AuditEntry, SharingAgreement
from wraparound.sharing.tests.factories import agency, worker
from wraparound.sharing.tests.test_pages import _agreement_post, _draft_through_tasks

pytestmark = pytest.mark.django_db


def test_the_second_of_two_editors_is_refused_with_what_the_first_changed() -> None:
    police, health = agency(AgencyKind.POLICE), agency(AgencyKind.HEALTH)
    first = signed_in(worker(police, Role.IG_OFFICER))
    second = signed_in(worker(health, Role.IG_OFFICER))
    _draft_through_tasks(first, _agreement_post(police, health))
    made = SharingAgreement.objects.get()
    edit = reverse("sharing:agreement-edit", args=[made.pk])
    for officer in (first, second):  # both open the draft at the same revision
        assert officer.get(edit).status_code == 200
    title = _agreement_post(police, health) | {"title": "Missing and absent children"}
    assert first.post(f"{edit}details/", title).status_code == 302
    assert first.post(f"{edit}check/", {"confirm": "yes"}).status_code == 302
    retention = _agreement_post(police, health) | {"retention": "Six years"}
    assert second.post(f"{edit}retention/", retention).status_code == 302
    refused = second.post(f"{edit}check/", {"confirm": "yes"})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "changed by someone else since you opened it" in body
    assert (
        "title: &#x27;Missing children protocol&#x27; -&gt; &#x27;Missing and absent children&#x27;"
        in body
    )
    made.refresh_from_db()
    assert made.title == "Missing and absent children", "the first edit is kept"
    assert made.retention == "Until the child is 25", "the stale edit saved nothing"
    assert AuditEntry.objects.filter(
        outcome="deny", reason__contains="Refused update draft"
    ).exists()
    second.post(edit, {"discard": "1"})
    assert "Missing and absent children" in second.get(f"{edit}details/").content.decode(), (
        "after discarding, the editor starts again from the saved draft"
    )


def test_an_approval_of_a_draft_edited_since_it_was_read_is_refused() -> None:
    police, health = agency(AgencyKind.POLICE), agency(AgencyKind.HEALTH)
    police_ig = signed_in(worker(police, Role.IG_OFFICER))
    _draft_through_tasks(police_ig, _agreement_post(police, health))
    made = SharingAgreement.objects.get()
    seen = made.revision
    _draft_through_tasks(police_ig, _agreement_post(police, health) | {"title": "Changed"}, made.pk)
    health_ig = signed_in(worker(health, Role.IG_OFFICER))
    page = health_ig.post(
        reverse("sharing:agreement-approve", args=[made.pk]), {"revision": seen, "confirm": "yes"}
    )
    assert "changed by someone else" in page.content.decode()
    assert not made.parties.filter(agency=health, approved_version__isnull=False).exists()


def test_refusals_by_role_are_audited_and_appear_in_the_denied_report() -> None:
    police = agency(AgencyKind.POLICE)
    analyst = worker(police, Role.DATA_ANALYST)
    for name in ("sharing:subject-access", "sharing:audit-log", "casework:my-families"):
        assert signed_in(analyst).get(reverse(name)).status_code == 403
    refused = AuditEntry.objects.filter(actor_id=analyst.pk, outcome="deny")
    assert refused.count() == 3
    assert "Refused by role (data_analyst)" in refused.first().reason
    report = signed_in(worker(police, Role.IG_OFFICER)).get(reverse("sharing:report-denied"))
    assert report.context["total"] == 3
