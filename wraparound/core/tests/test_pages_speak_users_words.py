"""Every page, for every role, in its users' words: no catalogue code or internal value shown.

Walks the tour (wraparound/core/tests/tour.py: the demo partnership plus the access-table
seeding, every page each role may open) and fails listing each page where a raw code shows.
"""

from __future__ import annotations

import pytest
from django.test import Client

from wraparound.core.labels import label, labels
from wraparound.core.models import AgencyKind
from wraparound.core.tests.raw_codes import raw_codes_in
from wraparound.core.tests.tour import load_tour_partnership, tour, tour_user


def test_a_catalogue_code_reads_as_its_label() -> None:
    assert label("social_care") == "Children's social care"
    assert "Article 6(1)(e)" in label("ART6_1_E", "lawful_basis")
    assert label("safe_from_abuse") == "Children safe from abuse and exploitation"
    assert label("ae_injury", "event_kind") == "A&E attendance with injury"
    assert labels(["child", "parent"], "sharing") == "Children, Parents and carers"


def test_the_raw_code_check_finds_what_the_tour_found() -> None:
    page = (
        "<main><p>social_care</p><td>suppressed (suppressed)</td><p>hcc-social-care:episodes</p>"
        "<p>nhs_number_std is NULL</p><code>ignored_in_code</code><script>x_y</script></main>"
    )
    found = " ".join(raw_codes_in(page))
    for expected in ("'social_care'", "suppressed twice", "hcc-social-care:episodes", "NULL"):
        assert expected in found
    assert "ignored_in_code" not in found
    assert "x_y" not in found


def test_the_raw_code_check_reads_charts_and_prefixed_codes() -> None:
    """What the evaluation page once showed unseen: a covariate code in the love plot (SVG
    text was skipped) and in the balance table, where the agency was not registered."""
    page = (
        '<main><svg role="img"><title>Love plot</title><text>prior_agency:gone-agency</text>'
        "</svg><table><tr><th>locality:unknown</th></tr></table></main>"
    )
    found = " ".join(raw_codes_in(page))
    assert "'prior_agency:gone-agency'" in found
    assert "'locality:unknown'" in found
    plain = (
        "<main><p>Seen at 10:30: see https://example.org/a:b and Note: it reads well.</p></main>"
    )
    assert raw_codes_in(plain) == []


def test_the_raw_code_check_finds_column_names_and_category_codes_in_sentences() -> None:
    """What the tour missed: a held-back reason naming a model column ("rests on dob") and
    the emergency-access alert listing its data categories by code ("for health, police
    data"): plain-word codes are English alone, but not as a list or as "for <code> data"."""
    page = (
        "<main><p>the match rests on dob</p><p>no upn on one side</p>"
        "<p>used emergency access to family F-1 for health, police data until 3 May</p>"
        "<p>used emergency access to family F-2 for social_care data</p>"
        "<p>used emergency access to family F-3 for education data</p></main>"
    )
    found = " ".join(raw_codes_in(page))
    for expected in ("'dob'", "'upn'", "'health, police data'", "'for education data'"):
        assert expected in found, found
    plain = (
        "<main><p>Date of birth and NHS number</p><p>Health, Police: records you may see</p>"
        "<p>The health visitor and the police officer met.</p>"
        "<p>Schools, police, housing and youth justice; an education, health and care plan</p>"
        "</main>"
    )
    assert raw_codes_in(plain) == []


@pytest.mark.django_db
def test_the_tour_opens_every_evaluation_plan_with_results_for_its_readers() -> None:
    """The tour's only plan used to be the access table's draft, which has no balance table:
    the pages where covariate labels show were never read."""
    from django.urls import reverse

    from wraparound.core.tests.tour import _demo_detail_pages
    from wraparound.evaluation import services
    from wraparound.evaluation.tests.frames import county
    from wraparound.evaluation.tests.seed import draft_plan
    from wraparound.sharing.tests import factories as sharing

    council = sharing.agency(AgencyKind.SOCIAL_CARE, slug="hcc-social-care")
    sharing.agreement(parties=[council], shares=[], purposes=("service_evaluation_aggregate",))
    analyst = sharing.worker(council, "data_analyst")
    practitioner = sharing.worker(council, "practitioner")
    plan = services.lock_plan(user=analyst, plan=draft_plan())
    made = county(families=600)
    inputs = services.RunInputs(made.events, made.membership, made.deprivation, "test")
    services.run_plan(user=analyst, plan=plan, inputs=inputs)
    page = reverse("evaluation:plan", kwargs={"pk": plan.pk})
    assert page in list(_demo_detail_pages(analyst))
    assert page not in list(_demo_detail_pages(practitioner)), "a practitioner may not open it"


@pytest.mark.slow
@pytest.mark.django_db
def test_no_page_shows_any_role_a_raw_code() -> None:
    seeded = load_tour_partnership()
    failures: list[str] = []
    clients: dict[str, Client] = {}
    for stop in tour(seeded):
        if stop.role not in clients:
            clients[stop.role] = Client()
            clients[stop.role].force_login(tour_user(stop.role))
        response = clients[stop.role].get(stop.url)
        if response.status_code in (301, 302):  # e.g. sign-in when signed in: not a page
            continue
        if response.status_code != 200:
            failures.append(f"{stop.role} {stop.url}: status {response.status_code}")
            continue
        if "html" not in response.get("Content-Type", ""):
            continue
        failures += [
            f"{stop.role} {stop.url}: {problem}"
            for problem in raw_codes_in(response.content.decode())
        ]
    assert not failures, f"{len(failures)} raw codes on pages:\n" + "\n".join(failures)


@pytest.mark.slow
@pytest.mark.django_db
def test_no_page_offers_a_role_a_link_it_is_then_refused() -> None:
    """Every internal link on every page opens for the role that sees it (one per URL name)."""
    import re

    from django.urls import Resolver404, resolve

    seeded = load_tour_partnership()
    clients: dict[str, Client] = {}
    followed: set[tuple[str, str]] = set()
    refused: list[str] = []
    for stop in tour(seeded):
        if stop.role not in clients:
            clients[stop.role] = Client()
            clients[stop.role].force_login(tour_user(stop.role))
        client = clients[stop.role]
        response = client.get(stop.url)
        if "html" not in response.get("Content-Type", ""):
            continue
        for href in re.findall(r'<a [^>]*href="(/[^"#]*)', response.content.decode()):
            path = href.split("?")[0]
            try:
                name = resolve(path).view_name
            except Resolver404:
                continue
            if path.startswith("/static/") or (stop.role, name) in followed:
                continue
            followed.add((stop.role, name))
            if client.get(href.replace("&amp;", "&")).status_code == 403:
                refused.append(f"{stop.role} on {stop.url}: link to {href} is refused")
    assert followed
    assert not refused, "\n".join(refused)
