"""Every page that shows personal data, for every role of every kind of agency, without need
to know: it refuses or shows nothing personal, writes exactly one audit entry per response,
and never puts a value from an unpermitted category in the body.

Enumerated from the access table's ``personal_data`` rows, so a new page is covered the day
its row is added. The access-test users belong to fresh agencies with no relationship, no
agreement and no emergency access, so every seeded personal value is unpermitted for them.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from wraparound.core.models import AgencyKind, Role
from wraparound.core.tests.access_table import EXPECTED, PUBLIC, AccessRow
from wraparound.core.tests.factories import AgencyFactory, UserFactory
from wraparound.sharing.models import AuditEntry

PERSONAL_ROWS = [row for row in EXPECTED if row.personal_data]
REFUSED = frozenset({302, 403, 404})


@pytest.fixture
def seeded(db: Any) -> dict[str, Any]:
    from wraparound.core.tests import seed

    return seed.seed_for_access_tests()


def _body_and_status(client: Client, row: AccessRow, seeded: dict[str, Any]) -> tuple[str, int]:
    kwargs = row.kwargs(seeded) if row.kwargs else {}
    url = reverse(row.url_name, kwargs=kwargs)
    query = row.query(seeded) if row.query else {}
    response = client.post(url) if row.method == "post" else client.get(url, query)
    return response.content.decode(errors="replace"), response.status_code


def check_row(
    row: AccessRow, user: Any, seeded: dict[str, Any], values: list[str]
) -> list[tuple[str, str]]:
    """What is wrong with ``row`` opened by ``user`` (no need to know); empty when right."""
    problems = []
    if row.allowed == PUBLIC:
        return [(row.url_name, "a page showing personal data is public")]
    client = Client()
    client.force_login(user)
    before = AuditEntry.objects.filter(actor_id=user.pk).count()
    body, status = _body_and_status(client, row, seeded)
    entries = AuditEntry.objects.filter(actor_id=user.pk).count() - before
    role_allowed = user.role in row.allowed
    if not role_allowed and status != 403:
        problems.append((row.url_name, f"role refused with {status}, not 403"))
    if status not in REFUSED and status != 200:
        problems.append((row.url_name, f"answered {status}"))
    if entries != 1:
        problems.append((row.url_name, f"{entries} audit entries for one response"))
    typed = {str(v) for v in (row.query(seeded) if row.query else {}).values()}
    leaked = [v for v in values if v in body and v not in typed]  # a form echoes its input
    if leaked:
        problems.append((row.url_name, f"shows unpermitted values {leaked}"))
    return problems


def test_the_table_marks_every_page_the_issue_names_as_personal_data() -> None:
    marked = {row.url_name for row in PERSONAL_ROWS}
    assert {
        "casework:family",
        "casework:my-families",
        "needs:at-risk",
        "matching:pair",
        "matching:person",
        "records:extract",
        "sharing:consents",
        "sharing:subject-access",
        "directory:gaps",
    } <= marked


def test_the_seed_gives_the_check_personal_values_to_catch(seeded: dict[str, Any]) -> None:
    assert len(seeded["personal_values"]) >= 5


@pytest.mark.parametrize("role", Role.values)
def test_personal_data_pages_refuse_without_need_to_know_audit_once_and_leak_nothing(
    role: str, seeded: dict[str, Any]
) -> None:
    failures = []
    for kind in AgencyKind.values:
        agency = AgencyFactory(slug=f"pd-{kind}", name=f"Personal data {kind}", kind=kind)
        user = UserFactory(username=f"pd-{kind}-{role}", agency=agency, role=role)
        for row in PERSONAL_ROWS:
            failures += [
                (kind, *p) for p in check_row(row, user, seeded, seeded["personal_values"])
            ]
    assert not failures, failures


def test_the_check_catches_a_page_that_leaks_or_skips_the_audit(
    seeded: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test of the test: a bypass that reads records straight from the model is caught."""
    from django.http import HttpResponse

    import wraparound.matching.views as views
    from wraparound.records.models import SourceRecord

    def bypass(request: Any, pk: int) -> HttpResponse:
        names = SourceRecord.objects.values_list("surname", flat=True)
        return HttpResponse(" ".join(n or "" for n in names))

    monkeypatch.setattr(views, "pair", views.role_required(Role.DATA_ANALYST)(bypass))
    from django.urls import clear_url_caches

    import wraparound.matching.urls as urls

    monkeypatch.setattr(urls.urlpatterns[1], "callback", views.pair)
    clear_url_caches()
    agency = AgencyFactory(slug="pd-bypass", name="Bypass", kind=AgencyKind.VOLUNTARY)
    analyst = UserFactory(username="pd-bypass", agency=agency, role=Role.DATA_ANALYST)
    row = next(r for r in PERSONAL_ROWS if r.url_name == "matching:pair")
    problems = check_row(row, analyst, seeded, seeded["personal_values"])
    assert ("matching:pair", "0 audit entries for one response") in problems
    assert any("shows unpermitted values" in p[1] for p in problems)
