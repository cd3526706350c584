"""The sharing rules, one test each, as an IG officer would state them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from wraparound.core.models import AgencyKind, Role
from wraparound.sharing import gate
from wraparound.sharing.models import (
    AgreementStatus,
    Alert,
    AuditEntry,
    ConsentDecision,
    RelationshipKind,
)
from wraparound.sharing.policy import decide, visible_families
from wraparound.sharing.services import request_break_glass
from wraparound.sharing.tests.factories import (
    agency,
    agreement,
    consent,
    relationship,
    worker,
)

pytestmark = pytest.mark.django_db
FAMILY = "F-TEST0001"


@pytest.fixture
def county() -> dict:
    police = agency(AgencyKind.POLICE, "hartshire-police", "Hartshire Constabulary")
    health = agency(AgencyKind.HEALTH, "community-health", "Hartshire Community Health")
    social = agency(AgencyKind.SOCIAL_CARE, "social-care", "Children's Social Care")
    early = agency(AgencyKind.EARLY_HELP, "early-help", "Early Help Service")
    return {"police": police, "health": health, "social": social, "early": early}


def test_police_cannot_see_health_data_without_an_approved_agreement(county: dict) -> None:
    officer = worker(county["police"])
    relationship(officer, FAMILY, RelationshipKind.TEAM_AROUND_FAMILY)
    agreement(
        parties=[county["police"], county["health"]],
        shares=[(county["health"], "health")],
        purposes=["safeguarding"],
        status=AgreementStatus.DRAFT,
    )
    decision = decide(
        user=officer,
        family_public_id=FAMILY,
        categories=[(county["health"], "health")],
        purpose="early_help_coordination",
    )
    assert not decision.permits(county["health"].pk, "health")
    assert decision.denied[0].reason.startswith(
        "No approved agreement lets Hartshire Constabulary see health data from "
        "Hartshire Community Health for early help coordination"
    )


def test_an_approved_in_date_agreement_lets_police_see_health_data_for_its_purpose(
    county: dict,
) -> None:
    officer = worker(county["police"])
    relationship(officer, FAMILY)
    made = agreement(
        parties=[county["police"], county["health"]], shares=[(county["health"], "health")]
    )
    decision = decide(
        user=officer,
        family_public_id=FAMILY,
        categories=[(county["health"], "health")],
        purpose="safeguarding",
    )
    assert decision.permits(county["health"].pk, "health")
    assert decision.permitted[0].agreement == f"{made.reference} v1"


def test_an_agreement_not_yet_approved_by_every_party_permits_nothing(county: dict) -> None:
    officer = worker(county["police"])
    relationship(officer, FAMILY)
    made = agreement(
        parties=[county["police"], county["health"]], shares=[(county["health"], "health")]
    )
    party = made.parties.get(agency=county["health"])
    party.approved_version = None
    party.save()
    decision = decide(
        user=officer,
        family_public_id=FAMILY,
        categories=[(county["health"], "health")],
        purpose="safeguarding",
    )
    assert not decision.permitted


@pytest.mark.parametrize("state", ["suspended", "expired_status", "past_end_date", "not_started"])
def test_expired_or_suspended_agreement_permits_nothing(county: dict, state: str) -> None:
    officer = worker(county["police"])
    relationship(officer, FAMILY)
    today = timezone.localdate()
    made = agreement(
        parties=[county["police"], county["health"]],
        shares=[(county["health"], "health")],
        status={
            "suspended": AgreementStatus.SUSPENDED,
            "expired_status": AgreementStatus.EXPIRED,
        }.get(state, AgreementStatus.APPROVED),
        approved_by_all=True,
        end=today - dt.timedelta(days=1) if state == "past_end_date" else None,
        start=today + dt.timedelta(days=5) if state == "not_started" else None,
    )
    decision = decide(
        user=officer,
        family_public_id=FAMILY,
        categories=[(county["health"], "health")],
        purpose="safeguarding",
    )
    assert not decision.permitted
    assert made.reference in decision.denied[0].reason


def test_withdrawn_consent_stops_consent_based_sharing_at_once(county: dict) -> None:
    worker_ = worker(county["early"])
    relationship(worker_, FAMILY)
    agreement(
        parties=[county["early"], county["health"]],
        shares=[(county["health"], "health")],
        purposes=["early_help_coordination"],
        consent_required=True,
    )
    ask = {
        "user": worker_,
        "family_public_id": FAMILY,
        "categories": [(county["health"], "health")],
        "purpose": "early_help_coordination",
    }
    assert not decide(**ask).permitted, "no consent recorded yet"
    consent(
        FAMILY, ConsentDecision.GIVEN, worker_, recorded_at=timezone.now() - dt.timedelta(minutes=5)
    )
    assert decide(**ask).permits(county["health"].pk, "health")
    consent(FAMILY, ConsentDecision.WITHDRAWN, worker_)
    after = decide(**ask)
    assert not after.permitted
    assert "withdrawn" in after.denied[0].reason


def test_a_recorded_no_consent_condition_the_agreement_allows_replaces_consent(
    county: dict,
) -> None:
    worker_ = worker(county["early"])
    relationship(worker_, FAMILY)
    agreement(
        parties=[county["early"], county["health"]],
        shares=[(county["health"], "health")],
        consent_required=True,
        no_consent_conditions=["DPA_S1_P18_2_C"],
    )
    ask = {
        "user": worker_,
        "family_public_id": FAMILY,
        "categories": [(county["health"], "health")],
        "purpose": "safeguarding",
    }
    consent(FAMILY, ConsentDecision.NOT_SOUGHT, worker_, no_consent_condition="DPA_S1_P18_2_B")
    assert not decide(**ask).permitted, "a condition the agreement does not list"
    consent(FAMILY, ConsentDecision.NOT_SOUGHT, worker_, no_consent_condition="DPA_S1_P18_2_C")
    decision = decide(**ask)
    assert decision.permitted[0].no_consent_reason == "DPA_S1_P18_2_C"


def test_practitioner_without_a_relationship_sees_nothing_of_a_family(county: dict) -> None:
    officer = worker(county["police"])
    agreement(parties=[county["police"], county["health"]], shares=[(county["health"], "health")])
    items = [_Item(county["health"].pk, "health"), _Item(county["police"].pk, "police")]
    read = gate.read(user=officer, family_public_id=FAMILY, purpose="safeguarding", items=items)
    assert read.visible_items == []
    assert {w.category for w in read.withheld} == {"health", "police"}
    assert FAMILY not in visible_families(officer, "safeguarding")


def test_an_ended_relationship_gives_no_access(county: dict) -> None:
    officer = worker(county["police"])
    relationship(officer, FAMILY, ended_at=timezone.now() - dt.timedelta(seconds=1))
    assert not decide(
        user=officer,
        family_public_id=FAMILY,
        categories=[(county["police"], "police")],
        purpose="safeguarding",
    ).permitted
    assert visible_families(officer, "safeguarding") == set()


def test_a_user_always_sees_their_own_agencys_records_about_families_they_work_with(
    county: dict,
) -> None:
    officer = worker(county["police"])
    relationship(officer, FAMILY)
    decision = decide(
        user=officer,
        family_public_id=FAMILY,
        categories=[(county["police"], "police")],
        purpose="safeguarding",
    )
    assert decision.permitted[0].basis == "own_agency"


def test_a_referral_to_an_agency_gives_its_practitioners_need_to_know(county: dict) -> None:
    officer = worker(county["police"])
    from wraparound.sharing.models import CareRelationship

    CareRelationship.objects.create(
        family_public_id=FAMILY,
        kind=RelationshipKind.REFERRAL_TO_AGENCY,
        agency=county["police"],
        purpose="safeguarding",
    )
    assert visible_families(officer, "safeguarding") == {FAMILY}


def test_a_colleagues_allocation_gives_the_team_manager_but_not_other_practitioners_need_to_know(
    county: dict,
) -> None:
    allocated = worker(county["social"])
    colleague = worker(county["social"])
    manager = worker(county["social"], role=Role.TEAM_MANAGER)
    relationship(allocated, FAMILY)
    assert FAMILY in visible_families(manager, "safeguarding")
    assert FAMILY not in visible_families(colleague, "safeguarding")


@pytest.mark.parametrize("role", [Role.DATA_ANALYST, Role.IG_OFFICER, Role.ADMINISTRATOR])
def test_roles_that_do_not_do_casework_read_no_family_records(county: dict, role: str) -> None:
    user = worker(county["social"], role=role)
    relationship(user, FAMILY)
    decision = decide(
        user=user,
        family_public_id=FAMILY,
        categories=[(county["social"], "social_care")],
        purpose="safeguarding",
    )
    assert not decision.permitted
    assert visible_families(user, "safeguarding") == set()


def test_an_aggregate_purpose_never_opens_a_named_family(county: dict) -> None:
    officer = worker(county["police"])
    relationship(officer, FAMILY)
    decision = decide(
        user=officer,
        family_public_id=FAMILY,
        categories=[(county["police"], "police")],
        purpose="service_planning_aggregate",
    )
    assert not decision.permitted


def test_break_glass_is_logged_and_alerts_providing_agencies_ig_officers(county: dict) -> None:
    officer = worker(county["police"], first_name="Pat", last_name="Duty")
    agreement(parties=[county["police"], county["health"]], shares=[(county["health"], "health")])
    assert not visible_families(officer, "safeguarding")
    grant = request_break_glass(
        user=officer,
        family_public_id=FAMILY,
        reason="Child reported missing overnight; need health contacts now.",
        categories=["health"],
        hours=2,
    )
    alerted = set(Alert.objects.filter(break_glass=grant).values_list("agency__slug", flat=True))
    assert {"community-health", "hartshire-police"} <= alerted
    assert AuditEntry.objects.filter(break_glass_id=grant.pk).exists()
    read = gate.read(
        user=officer,
        family_public_id=FAMILY,
        purpose="safeguarding",
        items=[_Item(county["health"].pk, "health")],
    )
    assert len(read.visible_items) == 1
    permit = AuditEntry.objects.filter(outcome="permit", action="view").latest("sequence")
    assert permit.break_glass_id == grant.pk
    assert permit.relationship == "break_glass"


def test_a_category_outside_the_emergency_access_is_refused_in_the_catalogues_words(
    county: dict,
) -> None:
    """The reason once listed the grant's categories by code ("covers health, social_care")."""
    officer = worker(county["police"])
    request_break_glass(
        user=officer,
        family_public_id=FAMILY,
        reason="Child reported missing overnight; need health contacts now.",
        categories=["health", "social_care"],
    )
    decision = decide(
        user=officer,
        family_public_id=FAMILY,
        categories=[(county["early"], "early_help")],
        purpose="safeguarding",
    )
    assert decision.denied[0].reason == (
        "Your emergency access covers health and children's social care, not early help data."
    )


def test_break_glass_lapses_when_it_expires(county: dict) -> None:
    officer = worker(county["police"])
    grant = request_break_glass(
        user=officer,
        family_public_id=FAMILY,
        reason="Child at immediate risk, strategy meeting now.",
        categories=["police"],
        hours=1,
    )
    later = grant.expires_at + dt.timedelta(seconds=1)
    assert visible_families(officer, "safeguarding", now=later) == set()


def test_every_denial_is_audited(county: dict) -> None:
    officer = worker(county["police"])
    relationship(officer, FAMILY)
    before = AuditEntry.objects.count()
    read = gate.read(
        user=officer,
        family_public_id=FAMILY,
        purpose="safeguarding",
        items=[_Item(county["health"].pk, "health"), _Item(county["police"].pk, "police")],
        request_id="req-123",
    )
    entries = list(AuditEntry.objects.order_by("sequence")[before:])
    assert [e.outcome for e in entries] == ["partial"], "one entry per read, partly withheld"
    deny = entries[0]
    assert deny.family_public_id == FAMILY
    assert deny.request_id == "req-123"
    outcomes = {c["category"]: c["outcome"] for c in deny.categories}
    assert outcomes == {"health": "deny", "police": "permit"}
    assert deny.actor_agency == "hartshire-police"
    assert deny.actor_role == "practitioner"
    assert read.withheld[0].reason in deny.reason


def test_a_page_says_what_was_withheld_and_why(county: dict) -> None:
    officer = worker(county["police"])
    relationship(officer, FAMILY)
    items = [_Item(county["health"].pk, "health")] * 3 + [_Item(county["police"].pk, "police")]
    read = gate.read(user=officer, family_public_id=FAMILY, purpose="safeguarding", items=items)
    assert len(read.visible_items) == 1
    assert read.withheld_counts[("Hartshire Community Health", "health")] == 3
    assert "No approved agreement" in read.withheld[0].reason


def test_aggregate_reads_need_an_agreement_for_the_aggregate_purpose_and_are_audited(
    county: dict,
) -> None:
    analyst = worker(county["social"], role=Role.DATA_ANALYST)
    refused = gate.read_aggregate(
        user=analyst, purpose="service_planning_aggregate", description="Needs by ward"
    )
    assert not refused.permitted
    agreement(
        parties=[county["social"], county["health"]],
        shares=[],
        purposes=["service_planning_aggregate"],
    )
    allowed = gate.read_aggregate(
        user=analyst, purpose="service_planning_aggregate", description="Needs by ward"
    )
    assert allowed.permitted
    assert list(AuditEntry.objects.order_by("sequence").values_list("outcome", "action")) == [
        ("deny", "export"),
        ("permit", "export"),
    ]


class _Item:
    def __init__(self, agency_id: int, category: str) -> None:
        self.agency_id = agency_id
        self.category = category


def test_suspending_an_agreement_stops_sharing_on_the_very_next_decision(county: dict) -> None:
    from wraparound.sharing.services import suspend_agreement

    officer = worker(county["police"])
    relationship(officer, FAMILY)
    made = agreement(
        parties=[county["police"], county["health"]], shares=[(county["health"], "health")]
    )
    ask = {
        "user": officer,
        "family_public_id": FAMILY,
        "categories": [(county["health"], "health")],
        "purpose": "safeguarding",
    }
    assert decide(**ask).permitted, "warms the agreement cache"
    suspend_agreement(
        by=worker(county["health"], role=Role.IG_OFFICER), agreement=made, reason="Data breach"
    )
    after = decide(**ask)
    assert not after.permitted
    assert "suspended" in after.denied[0].reason


def test_opening_a_family_without_need_to_know_is_refused_and_audited(county: dict) -> None:
    stranger = worker(county["police"])
    with pytest.raises(gate.FamilyNotVisibleError, match="no current relationship"):
        gate.open_family(user=stranger, family_public_id=FAMILY, purpose="safeguarding")
    entry = AuditEntry.objects.latest("sequence")
    assert entry.outcome == "deny"
    assert entry.family_public_id == FAMILY


def test_a_family_list_offers_exactly_the_families_the_policy_opens_and_is_audited(
    county: dict,
) -> None:
    officer = worker(county["police"])
    relationship(officer, FAMILY)
    relationship(officer, "F-ENDED", ended_at=timezone.now() - dt.timedelta(days=1))
    listed = gate.list_families(user=officer, purpose="safeguarding", request_id="req-list")
    assert listed == {FAMILY}
    assert listed == visible_families(officer, "safeguarding")
    entry = AuditEntry.objects.latest("sequence")
    assert (entry.action, entry.request_id) == ("search", "req-list")
