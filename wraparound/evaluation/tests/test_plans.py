"""Plans are written and locked before any result; a locked plan never changes."""

from __future__ import annotations

from typing import Any

import pytest

from wraparound.core.models import AgencyKind, Role
from wraparound.evaluation import services
from wraparound.evaluation.models import EvaluationPlan, PlanLockedError
from wraparound.evaluation.tests.frames import county
from wraparound.evaluation.tests.seed import draft_plan
from wraparound.sharing.models import AuditEntry
from wraparound.sharing.tests import factories as sharing

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst() -> Any:
    council = sharing.agency(AgencyKind.SOCIAL_CARE, slug="hcc-social-care")
    sharing.agreement(parties=[council], shares=[], purposes=("service_evaluation_aggregate",))
    return sharing.worker(council, Role.DATA_ANALYST)


def _inputs() -> services.RunInputs:
    made = county()
    return services.RunInputs(made.events, made.membership, made.deprivation, "test")


def test_a_locked_plan_cannot_be_changed_after_a_run_and_a_new_version_is_a_new_plan(
    analyst: Any,
) -> None:
    plan = services.lock_plan(user=analyst, plan=draft_plan())
    run = services.run_plan(user=analyst, plan=plan, inputs=_inputs())
    assert run.status == "succeeded"
    assert run.fingerprint == plan.fingerprint

    plan.min_group_size = 5
    with pytest.raises(PlanLockedError, match="make a new version"):
        plan.save()
    with pytest.raises(PlanLockedError):
        plan.delete()
    assert EvaluationPlan.objects.get(pk=plan.pk).min_group_size == 50

    successor = services.new_version(user=analyst, plan=plan, min_group_size=5)
    assert (successor.pk, successor.reference, successor.version) != (
        plan.pk,
        plan.reference,
        plan.version,
    )
    assert (successor.reference, successor.version, successor.supersedes_id) == (
        plan.reference,
        2,
        plan.pk,
    )
    assert not successor.is_locked
    assert successor.runs.count() == 0
    assert list(plan.runs.all()) == [run]
    with pytest.raises(Exception, match="already has a newer version"):
        services.new_version(user=analyst, plan=plan, min_group_size=7)


def test_a_draft_plan_cannot_be_run(analyst: Any) -> None:
    with pytest.raises(services.PlanNotLockedError, match="lock it before the first run"):
        services.run_plan(user=analyst, plan=draft_plan(), inputs=_inputs())


def test_a_locked_plan_altered_behind_the_service_is_refused_at_run_time(analyst: Any) -> None:
    plan = services.lock_plan(user=analyst, plan=draft_plan())
    EvaluationPlan.objects.filter(pk=plan.pk).update(caliper_sd=0.9)  # bypasses save()
    with pytest.raises(PlanLockedError, match="altered outside Wraparound"):
        services.run_plan(
            user=analyst, plan=EvaluationPlan.objects.get(pk=plan.pk), inputs=_inputs()
        )


def test_locking_twice_is_refused() -> None:
    plan = services.lock_plan(user=None, plan=draft_plan())
    with pytest.raises(PlanLockedError, match="already locked"):
        services.lock_plan(user=None, plan=plan)


def test_a_run_without_an_agreement_listing_evaluation_is_refused_and_audited() -> None:
    police = sharing.agency(AgencyKind.POLICE, slug="hartshire-police")
    analyst = sharing.worker(police, Role.DATA_ANALYST)
    plan = services.lock_plan(user=None, plan=draft_plan())
    with pytest.raises(services.EvaluationRefusedError, match="service evaluation"):
        services.run_plan(user=analyst, plan=plan, inputs=_inputs())
    entry = AuditEntry.objects.get(actor_username=analyst.username)
    assert (entry.outcome, entry.purpose) == ("deny", "service_evaluation_aggregate")
    assert plan.runs.count() == 0


def test_a_permitted_run_is_audited_under_the_evaluation_purpose(analyst: Any) -> None:
    plan = services.lock_plan(user=analyst, plan=draft_plan())
    services.run_plan(user=analyst, plan=plan, inputs=_inputs())
    entry = AuditEntry.objects.get(actor_username=analyst.username)
    assert (entry.outcome, entry.purpose) == ("permit", "service_evaluation_aggregate")


def test_accepted_referrals_are_the_starts_when_the_plan_says_so(analyst: Any) -> None:
    plan = services.lock_plan(user=analyst, plan=draft_plan(treatment_source="accepted_referrals"))
    run = services.run_plan(user=analyst, plan=plan, inputs=_inputs())
    # no referral to this service was accepted: nobody is treated, so results are withheld
    assert run.status == "succeeded"
    assert run.result["families"]["treated"] == 0
    assert run.withheld
