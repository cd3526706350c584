"""Purpose follows the relationship: a worker asks only for what their relationship is held for.

Finding 4 of issue 11: an early-help practitioner with an early-help allocation changed
``?purpose=`` to safeguarding and went from 0 events and withheld identities to 62 events with
names and dates of birth, with no reason asked and no alert.
"""

from __future__ import annotations

import pytest

from wraparound.core.models import AgencyKind
from wraparound.sharing import gate, services
from wraparound.sharing.models import (
    Alert,
    AuditEntry,
    CareRelationship,
    PurposeChange,
    RelationshipKind,
)
from wraparound.sharing.policy import decide, visible_families
from wraparound.sharing.tests.factories import agency, agreement, worker

pytestmark = pytest.mark.django_db
FAMILY = "F-PURPOSE1"


@pytest.fixture
def county() -> dict:
    early = agency(AgencyKind.EARLY_HELP, "early-help", "Early Help Service")
    police = agency(AgencyKind.POLICE, "police", "Hartshire Constabulary")
    social = agency(AgencyKind.SOCIAL_CARE, "social-care", "Children's Social Care")
    agreement(
        parties=[early, police, social],
        shares=[(police, "identity"), (police, "police")],
        purposes=["safeguarding"],
    )
    return {"early": early, "police": police, "social": social}


def _allocate(user: object, agency: object, **kwargs: object) -> CareRelationship:
    return services.add_relationship(
        family_public_id=FAMILY,
        kind=RelationshipKind.ALLOCATED_WORKER,
        agency=agency,  # type: ignore[arg-type]
        user=user,  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


def test_an_allocation_is_held_for_early_help_coordination_unless_said_otherwise(
    county: dict,
) -> None:
    practitioner = worker(county["early"])
    made = _allocate(practitioner, county["early"])
    assert made.purpose == "early_help_coordination"
    entry = AuditEntry.objects.get(action="amend", outcome="permit")
    assert entry.purpose == "early_help_coordination"
    assert "held for early help coordination" in entry.reason


def test_an_early_help_allocation_does_not_open_the_family_for_safeguarding(county: dict) -> None:
    practitioner = worker(county["early"])
    _allocate(practitioner, county["early"])
    asked = [(county["police"], "identity"), (county["police"], "police")]
    widened = decide(
        user=practitioner, family_public_id=FAMILY, categories=asked, purpose="safeguarding"
    )
    assert not widened.has_need_to_know
    assert not widened.permitted
    assert "held for early help coordination, not safeguarding" in widened.need_to_know_reason
    assert FAMILY not in visible_families(practitioner, "safeguarding")
    assert FAMILY in visible_families(practitioner, "early_help_coordination")
    assert FAMILY in visible_families(practitioner, "case_management"), "a narrower purpose"


def test_safeguarding_on_an_early_help_allocation_is_refused_without_a_basis_and_audited(
    county: dict,
) -> None:
    practitioner = worker(county["early"])
    held = _allocate(practitioner, county["early"])
    with pytest.raises(services.SharingError, match="needs its own basis"):
        services.change_relationship_purpose(
            by=practitioner, relationship=held, purpose="safeguarding"
        )
    held.refresh_from_db()
    assert held.purpose == "early_help_coordination"
    refused = AuditEntry.objects.filter(outcome="deny", action="amend").get()
    assert "needs its own basis" in refused.reason


def test_a_recorded_strategy_discussion_widens_the_relationship_and_the_change_is_audited(
    county: dict,
) -> None:
    practitioner = worker(county["early"])
    held = _allocate(practitioner, county["early"])
    basis = services.record_safeguarding_basis(
        by=practitioner,
        family_public_id=FAMILY,
        kind="strategy_discussion",
        summary="Strategy discussion with police and social care: section 47 enquiry agreed.",
    )
    services.change_relationship_purpose(
        by=practitioner, relationship=held, purpose="safeguarding", basis=basis
    )
    change = PurposeChange.objects.get()
    assert (change.from_purpose, change.to_purpose, change.basis) == (
        "early_help_coordination",
        "safeguarding",
        basis,
    )
    entry = AuditEntry.objects.filter(reason__startswith="Purpose of").get()
    assert entry.purpose == "safeguarding"
    assert "Strategy discussion" in entry.reason
    read = gate.read(
        user=practitioner,
        family_public_id=FAMILY,
        purpose="safeguarding",
        items=[_Item(county["police"].pk, "police")],
    )
    assert len(read.visible_items) == 1


def test_break_glass_widening_needs_a_reason_and_alerts_the_ig_officers(county: dict) -> None:
    practitioner = worker(county["early"])
    held = _allocate(practitioner, county["early"])
    services.change_relationship_purpose(
        by=practitioner,
        relationship=held,
        purpose="safeguarding",
        break_glass_reason="Child disclosed harm at home visit today; social care unreachable.",
    )
    alert = Alert.objects.get(agency=county["early"])
    assert "break-glass" in alert.message
    assert FAMILY in alert.message


def test_childrens_social_care_holds_safeguarding_by_its_role(county: dict) -> None:
    social_worker = worker(county["social"])
    held = _allocate(social_worker, county["social"], purpose="safeguarding")
    assert held.purpose == "safeguarding"
    assert FAMILY in visible_families(social_worker, "safeguarding")
    assert not Alert.objects.exists()


class _Item:
    def __init__(self, agency_id: int, category: str) -> None:
        self.agency_id, self.category = agency_id, category


def test_a_wider_purpose_includes_what_its_included_purposes_include() -> None:
    from wraparound.sharing.catalogues import catalogues

    purposes = catalogues().purposes
    assert purposes["safeguarding"].serves("outcomes_review"), "via early help coordination"
    assert purposes["early_help_coordination"].serves("outcomes_review")
    assert not purposes["case_management"].serves("early_help_coordination")
