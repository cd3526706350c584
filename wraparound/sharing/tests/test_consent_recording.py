"""Consent is recorded only by someone who works with the family, for a family that exists.

Finding 1 of issue 11: an ICB practitioner refused a family recorded "given" and another
agency's worker went from 3 to 10 visible events; a youth-justice practitioner recorded
"withdrawn" for a family they do not work with and another worker lost every shared row.
"""

from __future__ import annotations

import pytest

from wraparound.core.models import AgencyKind, Role
from wraparound.sharing import services
from wraparound.sharing.models import AuditEntry, ConsentRecord
from wraparound.sharing.policy import decide
from wraparound.sharing.tests.factories import agency, agreement, family, relationship, worker

pytestmark = pytest.mark.django_db
FAMILY = "F-CONSENT1"


@pytest.fixture
def county() -> dict:
    early = agency(AgencyKind.EARLY_HELP, "early-help", "Early Help")
    health = agency(AgencyKind.HEALTH, "icb", "Integrated Care Board")
    justice = agency(AgencyKind.YOUTH_JUSTICE, "yjs", "Youth Justice Service")
    agreement(
        parties=[early, health, justice],
        shares=[(health, "health")],
        purposes=["early_help_coordination"],
        consent_required=True,
    )
    family(FAMILY, ["P-CONSENT1"])
    return {"early": early, "health": health, "justice": justice}


def _record(by: object, decision: str, **kwargs: object) -> ConsentRecord:
    return services.record_consent(
        by=by,  # type: ignore[arg-type]
        family_public_id=kwargs.pop("family_public_id", FAMILY),  # type: ignore[arg-type]
        decision=decision,
        given_by="Sam Jones (mother)",
        method="in_person",
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_practitioner_without_a_relationship_cannot_record_consent_and_it_is_audited(
    county: dict,
) -> None:
    stranger = worker(county["justice"])
    allocated = worker(county["early"])
    relationship(allocated, FAMILY, purpose="early_help_coordination")
    _record(allocated, "given")
    with pytest.raises(services.SharingError, match="no current relationship"):
        _record(stranger, "withdrawn")
    assert ConsentRecord.objects.get().decision == "given", "the withdrawal was not recorded"
    health_for_allocated = decide(
        user=allocated,
        family_public_id=FAMILY,
        categories=[(county["health"], "health")],
        purpose="early_help_coordination",
    )
    assert health_for_allocated.permits(county["health"].pk, "health")
    refused = AuditEntry.objects.get(outcome="deny", actor_id=stranger.pk)
    assert refused.family_public_id == FAMILY
    assert "no current relationship" in refused.reason


def test_consent_for_a_family_that_does_not_exist_is_refused(county: dict) -> None:
    ig = worker(county["early"], Role.IG_OFFICER)
    with pytest.raises(services.SharingError, match="no family F-NOSUCH1"):
        _record(ig, "given", family_public_id="F-NOSUCH1")
    assert not ConsentRecord.objects.exists()


def test_consent_for_a_person_outside_the_family_is_refused(county: dict) -> None:
    allocated = worker(county["early"])
    relationship(allocated, FAMILY)
    with pytest.raises(services.SharingError, match="not a member"):
        _record(allocated, "given", person_public_id="P-ELSEWHERE")


def test_an_ig_officer_records_consent_only_for_families_their_agency_works_with(
    county: dict,
) -> None:
    relationship(worker(county["early"]), FAMILY)
    early_ig = worker(county["early"], Role.IG_OFFICER)
    justice_ig = worker(county["justice"], Role.IG_OFFICER)
    assert _record(early_ig, "given").recorded_by == early_ig
    with pytest.raises(services.SharingError, match="does not work with family"):
        _record(justice_ig, "withdrawn")


def test_who_gave_consent_and_how_are_required(county: dict) -> None:
    allocated = worker(county["early"])
    relationship(allocated, FAMILY)
    with pytest.raises(services.SharingError, match="how consent was given"):
        services.record_consent(
            by=allocated, family_public_id=FAMILY, decision="given", given_by="Mother"
        )
    with pytest.raises(services.SharingError, match="who gave"):
        services.record_consent(
            by=allocated, family_public_id=FAMILY, decision="given", given_by="", method="phone"
        )


def test_a_withdrawal_by_the_allocated_worker_stops_sharing_at_once(county: dict) -> None:
    allocated = worker(county["early"])
    relationship(allocated, FAMILY)
    _record(allocated, "given")
    asked = {
        "user": allocated,
        "family_public_id": FAMILY,
        "categories": [(county["health"], "health")],
        "purpose": "early_help_coordination",
    }
    assert decide(**asked).permits(county["health"].pk, "health")
    _record(allocated, "withdrawn")
    after = decide(**asked)
    assert not after.permitted
    assert "withdrawn" in after.denied[0].reason
