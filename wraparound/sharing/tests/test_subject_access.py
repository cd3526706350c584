"""Subject access as IG officers work it (finding 3 of issue 11).

Found: any agency's IG officer got every agency's records about a person (a voluntary
organisation's IG officer saw police and social-care records); a typo'd person id answered
"Nothing held" in every section, a false nil return; nothing could be exported or redacted.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from wraparound.casework.tests.builders import known_family
from wraparound.core.models import Role
from wraparound.core.tests.factories import signed_in
from wraparound.sharing import services
from wraparound.sharing.models import (
    AuditEntry,
    SubjectAccessRedaction,
    SubjectAccessRequest,
)
from wraparound.sharing.tests import factories as sharing

pytestmark = pytest.mark.django_db
MOTHER = "P-MOTHER01"


def _open(officer: object, person: str = MOTHER) -> SubjectAccessRequest:
    return services.open_subject_access_request(
        by=officer,  # type: ignore[arg-type]
        person_public_id=person,
        requester="Kelly Booth (herself)",
        received_on=timezone.localdate(),
    )


def test_the_person_is_found_by_surname_and_date_of_birth() -> None:
    family = known_family()
    officer = sharing.worker(family.police, role=Role.IG_OFFICER)
    page = signed_in(officer).get(
        reverse("sharing:subject-access"), {"surname": "booth", "dob": "1994-03-02"}
    )
    assert page.context["found"] == [MOTHER]
    assert AuditEntry.objects.filter(
        actor_id=officer.pk, action="search", purpose="subject_access"
    ).exists()


def test_no_such_person_is_not_a_nil_return() -> None:
    family = known_family()
    officer = sharing.worker(family.police, role=Role.IG_OFFICER)
    page = signed_in(officer).get(reverse("sharing:subject-access"), {"person": "P-MOTHER0I"})
    body = page.content.decode()
    assert "No such person" in body
    assert "Nothing held" not in body
    with pytest.raises(services.SharingError, match="No such person"):
        _open(officer, "P-MOTHER0I")


def test_each_controller_answers_only_for_its_own_records() -> None:
    family = known_family()
    voluntary_ig = sharing.worker(family.early_help, role=Role.IG_OFFICER)
    police_ig = sharing.worker(family.police, role=Role.IG_OFFICER)
    mine = signed_in(voluntary_ig).get(
        reverse("sharing:subject-access-request", kwargs={"pk": _open(voluntary_ig).pk})
    )
    body = mine.content.decode()
    assert "Hartshire Constabulary" not in body
    assert "domestic_abuse_incident" not in body
    (answer,) = mine.context["response"].agencies
    assert [s.title for s in answer.sections] == ["Who looked at or changed this information"], (
        "early help holds no record of her, only the log of its own handling of the request"
    )
    police = signed_in(police_ig).get(
        reverse("sharing:subject-access-request", kwargs={"pk": _open(police_ig).pk})
    )
    assert police.content.decode().count("domestic_abuse_incident") == 3
    assert "missed_health_contact" not in police.content.decode()


def test_a_coordinated_response_needs_an_agreement_listing_subject_access() -> None:
    family = known_family()
    sharing.agreement(
        parties=[family.police, family.health],
        shares=[(family.health, "identity"), (family.health, "health")],
        purposes=["subject_access"],
    )
    police_ig = sharing.worker(family.police, role=Role.IG_OFFICER)
    body = (
        signed_in(police_ig)
        .get(reverse("sharing:subject-access-request", kwargs={"pk": _open(police_ig).pk}))
        .content.decode()
    )
    assert "Community Health (coordinated response under an agreement)" in body


def test_redaction_with_a_reason_then_disclosure_is_recorded_and_downloadable() -> None:
    family = known_family()
    police_ig = sharing.worker(family.police, role=Role.IG_OFFICER)
    sar = _open(police_ig)
    client = signed_in(police_ig)
    url = reverse("sharing:subject-access-request", kwargs={"pk": sar.pk})
    page = client.get(url)
    first = page.context["response"].agencies[0].sections[1].rows[0][0]
    client.post(url, {"item_ref": first.ref, "reason": "child_abuse", "note": "s47 ongoing"})
    redaction = SubjectAccessRedaction.objects.get()
    assert (redaction.item_ref, redaction.reason) == (first.ref, "child_abuse")
    refs = [
        item.ref
        for answer in page.context["response"].agencies
        for section in answer.sections
        for item, _ in section.rows
    ]
    check = client.post(url, {"disclose": "1", "item": refs}).content.decode()
    assert "before you disclose it" in check
    assert f"{len(refs) - 1} items disclosed; 1 redacted (Child abuse data" in check
    sar.refresh_from_db()
    assert sar.status == "open", "nothing is disclosed before the confirmation"
    client.post(url, {"disclose": "1", "item": refs, "confirm": "yes"})
    sar.refresh_from_db()
    assert sar.status == "disclosed"
    assert first.ref not in sar.disclosed_items
    assert len(sar.disclosed_items) == len(refs) - 1
    download = client.get(
        reverse("sharing:subject-access-response", kwargs={"pk": sar.pk}), {"format": "csv"}
    )
    assert download["Content-Disposition"].startswith("attachment")
    text = download.content.decode()
    assert "[Redacted: Child abuse data" in text
    assert text.count("domestic_abuse_incident") == 2
    printable = client.get(reverse("sharing:subject-access-response", kwargs={"pk": sar.pk}))
    assert printable.status_code == 200
    actions = set(AuditEntry.objects.filter(actor_id=police_ig.pk).values_list("action", flat=True))
    assert {"amend", "view", "disclose", "export"} <= actions


def test_another_agencys_officer_cannot_open_or_change_the_request() -> None:
    family = known_family()
    sar = _open(sharing.worker(family.police, role=Role.IG_OFFICER))
    other = sharing.worker(family.health, role=Role.IG_OFFICER)
    url = reverse("sharing:subject-access-request", kwargs={"pk": sar.pk})
    assert signed_in(other).get(url).status_code == 404
    with pytest.raises(services.SharingError, match="Another agency"):
        services.redact_item(by=other, request=sar, item_ref="event:1", reason="third_party")


def test_a_request_cannot_be_dated_in_the_future() -> None:
    family = known_family()
    with pytest.raises(services.SharingError, match="future"):
        services.open_subject_access_request(
            by=sharing.worker(family.police, role=Role.IG_OFFICER),
            person_public_id=MOTHER,
            requester="Kelly Booth",
            received_on=timezone.localdate() + dt.timedelta(days=1),
        )
