"""Before an action that cannot be undone, the GOV.UK "Check your answers" page: the answers
in words in a summary list, a "Change" link per answer that reopens the form with the answers
kept, and a confirm button. Nothing happens until the person confirms."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from wraparound.core.models import AgencyKind
from wraparound.core.tests.factories import signed_in
from wraparound.sharing.models import BreakGlassGrant, ConsentRecord
from wraparound.sharing.tests.factories import agency, family, relationship, worker

pytestmark = pytest.mark.django_db
REASON = "Child missing overnight, need GP and A&E contacts."


def _rows(html: str) -> dict[str, str]:
    """Summary list question -> answer, tags stripped."""
    pairs = re.findall(
        r'summary-list__key">(.*?)</dt>\s*<dd class="govuk-summary-list__value">(.*?)</dd>',
        html,
        re.S,
    )
    return {re.sub(r"<[^>]+>", "", k).strip(): re.sub(r"<[^>]+>", " ", v).strip() for k, v in pairs}


def test_emergency_access_is_checked_then_opened_only_on_confirmation() -> None:
    police, health = agency(AgencyKind.POLICE), agency(AgencyKind.HEALTH)
    client = signed_in(worker(police))
    url = reverse("sharing:break-glass-new")
    answers = {"family_public_id": "F-BG", "reason": REASON, "categories": ["health"], "hours": 2}
    check = client.post(url, answers)
    html = check.content.decode()
    assert _rows(html) == {
        "Family id": "F-BG",
        "Why do you need this now?": REASON.replace("&", "&amp;"),
        "What data do you need?": "Health",
        "For how many hours?": "2",
    }
    assert f'href="{url}?change=1#id_reason"' in html
    assert "Open emergency access" in html
    assert not BreakGlassGrant.objects.exists(), "nothing opens before the confirmation"
    changed = client.get(f"{url}?change=1")
    assert 'value="F-BG"' in changed.content.decode(), "Change reopens the form with the answers"
    assert REASON.replace("&", "&amp;") in changed.content.decode()
    opened = client.post(url, {**answers, "confirm": "yes"})
    assert "Emergency access granted" in opened.content.decode()
    assert BreakGlassGrant.objects.get().reason == REASON
    del health


def test_a_consent_withdrawal_is_checked_with_its_effect_stated_before_it_is_recorded() -> None:
    early = agency(AgencyKind.EARLY_HELP)
    practitioner = worker(early)
    family("F-CYA")
    relationship(practitioner, "F-CYA")
    client = signed_in(practitioner)
    url = reverse("sharing:consent-new")
    answers = {"family_public_id": "F-CYA", "decision": "withdrawn", "given_by": "Mother",
               "method": "phone"}  # fmt: skip
    html = client.post(url, answers).content.decode()
    rows = _rows(html)
    assert rows["Decision"] == "Consent withdrawn"
    assert rows["Agreement"] == "Every agreement that needs consent"
    assert rows["How it was given"] == "By telephone"
    assert "cannot be undone" in html
    assert not ConsentRecord.objects.exists()
    client.post(url, {**answers, "confirm": "yes"})
    assert ConsentRecord.objects.get().decision == "withdrawn"
