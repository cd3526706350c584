"""Suppression by audience: publication-grade for exports and anything leaving the partnership;
a lower threshold, set in the agreement covering the aggregate purpose, for the internal
operational roles it names; both stated on the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from wraparound.core.models import AgencyKind, Role
from wraparound.core.tests.factories import signed_in
from wraparound.needs.models import FamilyNeedsProfile, NeedsRun, RunStatus
from wraparound.sharing.models import SharingAgreement
from wraparound.sharing.services import SharingError
from wraparound.sharing.services.agreements import AgreementDraft, PartySpec, create_agreement
from wraparound.sharing.tests.factories import agency, agreement, worker

pytestmark = pytest.mark.django_db
PUBLICATION = 5


@pytest.fixture(autouse=True)
def _publication(settings: Any) -> None:
    settings.SUPPRESSION_THRESHOLD = PUBLICATION


@pytest.fixture
def partnership() -> dict[str, Any]:
    """Ashvale: 4 families at risk and not supported among 40 (below 5, at least 3)."""
    council, police = agency(AgencyKind.EARLY_HELP), agency(AgencyKind.POLICE)
    planning = agreement(
        parties=[council, police], shares=[], purposes=["service_planning_aggregate"]
    )
    SharingAgreement.objects.filter(pk=planning.pk).update(
        operational_suppression_threshold=3, operational_roles=[Role.TEAM_MANAGER]
    )
    run = NeedsRun.objects.create(
        reference_date=timezone.localdate(), status=RunStatus.COMPLETE,
        finished_at=timezone.now(), catalogue_checksum="test",
    )  # fmt: skip
    families = [("Ashvale", True, False)] * 4 + [("Ashvale", False, False)] * 36
    families += [("Harbridge", True, False)] * 30 + [("Harbridge", True, True)] * 30
    FamilyNeedsProfile.objects.bulk_create(
        FamilyNeedsProfile(
            run=run,
            family_public_id=f"F-{n:08d}",
            locality=locality,
            agencies=[council.slug],
            at_risk=at_risk,
            supported=supported,
        )
        for n, (locality, at_risk, supported) in enumerate(families)
    )
    return {
        "manager": worker(council, Role.TEAM_MANAGER),
        "analyst": worker(council, Role.DATA_ANALYST),
        "agreement": planning,
    }


def _ashvale_not_supported(report: Any) -> str:
    row = next(r for r in report.by_locality.rows if r.group == "Ashvale")
    return str(row.cells["at_risk_not_supported"].display())


def test_a_named_operational_role_sees_small_counts_on_the_page(partnership: Any) -> None:
    page = signed_in(partnership["manager"]).get(reverse("needs:targeting"))
    assert page.context["report"].threshold == 3
    assert _ashvale_not_supported(page.context["report"]) == "4"
    statement = page.content.decode()
    assert "You see counts down to 3" in statement
    assert "team managers" in statement.lower()
    assert "hide counts below 5 (publication suppression)" in statement


def test_the_at_risk_page_states_both_thresholds_for_a_named_role(partnership: Any) -> None:
    page = signed_in(partnership["manager"]).get(reverse("needs:at-risk"))
    assert page.status_code == 200
    statement = page.content.decode()
    assert "You see counts down to 3" in statement
    assert "hide counts below 5 (publication suppression)" in statement


def test_an_export_keeps_publication_suppression_for_the_same_person(partnership: Any) -> None:
    export = signed_in(partnership["manager"]).get(
        reverse("needs:targeting-export", kwargs={"fmt": "csv"})
    )
    ashvale = next(line for line in export.content.decode().splitlines() if ",Ashvale," in line)
    assert "<5" in ashvale
    assert ",4," not in ashvale


def test_a_role_the_agreement_does_not_name_gets_publication_suppression(
    partnership: Any,
) -> None:
    page = signed_in(partnership["analyst"]).get(reverse("needs:targeting"))
    assert page.context["report"].threshold == PUBLICATION
    assert _ashvale_not_supported(page.context["report"]) == "<5"
    assert "Counts below 5 are hidden." in page.content.decode()


def test_the_agreement_states_both_thresholds(partnership: Any) -> None:
    page = signed_in(partnership["manager"]).get(
        reverse("sharing:agreement", args=[partnership["agreement"].pk])
    )
    text = page.content.decode()
    assert "counts below 3 are hidden from team managers" in text
    assert "hide counts below 5 (publication suppression)" in text


@pytest.mark.parametrize(
    ("threshold", "roles", "purposes", "problem"),
    [
        (5, ["team_manager"], ["service_planning_aggregate"], "from 2 to 4"),
        (3, [], ["service_planning_aggregate"], "name the roles"),
        (None, ["team_manager"], ["service_planning_aggregate"], "without an operational"),
        (3, ["team_manager"], ["safeguarding"], "needs an aggregate purpose"),
    ],
)
def test_an_operational_threshold_is_lower_than_publication_for_named_roles_on_aggregates(
    threshold: int | None, roles: list[str], purposes: list[str], problem: str
) -> None:
    council, police = agency(AgencyKind.EARLY_HELP), agency(AgencyKind.POLICE)
    draft = AgreementDraft(
        reference="DSA-X", title="Planning", purpose_statement="Plan.", purposes=purposes,
        parties=[PartySpec(council, ["ART6_1_E"], []), PartySpec(police, ["ART6_1_E"], [])],
        start_date=dt.date(2026, 4, 1), retention="None kept",
        operational_suppression_threshold=threshold, operational_roles=roles,
    )  # fmt: skip
    with pytest.raises(SharingError, match=problem):
        create_agreement(by=worker(council, Role.IG_OFFICER), draft=draft)
