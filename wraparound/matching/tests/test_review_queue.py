"""A data analyst works through the review queue: filters by agency, reason and score band,
sorting and counts; a held-back pair says why instead of showing a bare score."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from wraparound.core.models import Role
from wraparound.core.tests.factories import AgencyFactory, UserFactory
from wraparound.matching.models import ReviewPair

pytestmark = pytest.mark.django_db
HELD = "Not joined automatically: it would put two different NHS numbers into one person"


@pytest.fixture
def analyst() -> Client:
    AgencyFactory(slug="police", name="Hartshire Constabulary")
    AgencyFactory(slug="school", name="Harbridge Academy")
    client = Client()
    client.force_login(UserFactory(role=Role.DATA_ANALYST))
    return client


def _pair(left: str, right: str, score: float, **why: str) -> ReviewPair:
    return ReviewPair.objects.create(
        record_key_l=left, record_key_r=right, match_probability=score, why=why
    )


@pytest.fixture
def pairs() -> dict[str, ReviewPair]:
    return {
        "held": _pair("police:incidents:1", "school:pupils:1", 0.999, **{"held back": HELD}),
        "police_mid": _pair("police:incidents:2", "police:incidents:3", 0.8),
        "school_low": _pair("school:pupils:2", "school:pupils:3", 0.55),
    }


def _listed(client: Client, **params: str) -> tuple[list[int], Any]:
    page = client.get(reverse("matching:queue"), params)
    assert page.status_code == 200
    return [p.pk for p in page.context["page"].object_list], page


def test_filters_by_agency_reason_and_band_with_counts(analyst: Client, pairs: Any) -> None:
    ids, page = _listed(analyst)
    assert ids == [pairs["held"].pk, pairs["police_mid"].pk, pairs["school_low"].pk]
    assert _listed(analyst, agency="school")[0] == [pairs["held"].pk, pairs["school_low"].pk]
    assert _listed(analyst, reason="held_back")[0] == [pairs["held"].pk]
    assert _listed(analyst, reason="uncertain", band="middle")[0] == [pairs["police_mid"].pk]
    ids, page = _listed(analyst, agency="police")
    counts = {o.value: o.count for o in page.context["queue"].bands}
    assert counts == {"high": 1, "middle": 1, "low": 0, "lowest": 0}
    assert "Harbridge Academy (2)" in page.content.decode()
    assert "3 pairs waiting; 2 match these filters." in page.content.decode()


def test_sorting_and_an_unknown_filter_shows_everything(analyst: Client, pairs: Any) -> None:
    ids, _ = _listed(analyst, sort="unlikely")
    assert ids == [pairs["school_low"].pk, pairs["police_mid"].pk, pairs["held"].pk]
    assert len(_listed(analyst, agency="nowhere", band="huge", sort="random")[0]) == 3


def test_a_held_back_pair_says_why_not_a_bare_probability(analyst: Client, pairs: Any) -> None:
    _, page = _listed(analyst)
    html = page.content.decode()
    assert "Probability" not in html
    assert "1.000" not in html
    assert HELD in html
    pair_page = analyst.get(reverse("matching:pair", kwargs={"pk": pairs["held"].pk}))
    text = pair_page.content.decode()
    assert 'data-testid="held-back"' in text
    assert HELD in text
    assert "1.000" not in text
    assert "Harbridge Academy: pupils, record 1" in text


def test_skip_goes_to_the_next_pair_in_the_queue(analyst: Client, pairs: Any) -> None:
    page = analyst.get(reverse("matching:pair", kwargs={"pk": pairs["held"].pk}))
    skip = reverse("matching:pair", kwargs={"pk": pairs["police_mid"].pk})
    assert f'href="{skip}" data-wa-shortcut="n"' in page.content.decode()
