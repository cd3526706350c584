"""The commissioner's page and exports: aggregate only, through the gate, suppressed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from wraparound.core.models import AgencyKind, Role
from wraparound.core.tests.factories import signed_in
from wraparound.evaluation import services
from wraparound.evaluation.tests.frames import county
from wraparound.evaluation.tests.seed import draft_plan
from wraparound.sharing.models import AuditEntry
from wraparound.sharing.tests import factories as sharing

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_plan() -> dict[str, Any]:
    council = sharing.agency(AgencyKind.SOCIAL_CARE, slug="hcc-social-care")
    sharing.agreement(parties=[council], shares=[], purposes=("service_evaluation_aggregate",))
    analyst = sharing.worker(council, Role.DATA_ANALYST)
    manager = sharing.worker(council, Role.TEAM_MANAGER)
    made = county()
    plan = services.lock_plan(user=analyst, plan=draft_plan())
    inputs = services.RunInputs(made.events, made.membership, made.deprivation, "test")
    services.run_plan(user=analyst, plan=plan, inputs=inputs)
    return {"plan": plan, "analyst": analyst, "manager": manager, "council": council}


def test_commissioner_sees_plan_balance_effect_chart_naive_comparison_and_caveats(
    run_plan: dict[str, Any],
) -> None:
    page = (
        signed_in(run_plan["manager"])
        .get(reverse("evaluation:plan", kwargs={"pk": run_plan["plan"].pk}))
        .content.decode()
    )
    for expected in ("The plan", "Love plot", "Naive: every treated and untreated family", "Matched (headline)",
                     "Doubly robust check", "E-value", "What these figures can and cannot tell you", "Locked"):  # fmt: skip
        assert expected in page, expected
    assert "F-0000" not in page
    assert "P-0000" not in page
    entries = AuditEntry.objects.filter(actor_username=run_plan["manager"].username)
    assert [(e.action, e.outcome, e.purpose) for e in entries] == [
        ("view", "permit", "service_evaluation_aggregate")
    ]


def test_every_covariate_reads_as_words_even_for_an_agency_not_registered_here(
    run_plan: dict[str, Any],
) -> None:
    """The test county's events come from hartshire-police, which this partnership has not
    registered: the balance table and the love plot once showed ``prior_agency:hartshire-police``."""
    from wraparound.core.tests.raw_codes import raw_codes_in

    page = (
        signed_in(run_plan["manager"])
        .get(reverse("evaluation:plan", kwargs={"pk": run_plan["plan"].pk}))
        .content.decode()
    )
    assert "Standardised mean differences" in page, "the balance table is on the page"
    assert "prior_agency" not in page
    assert "an agency no longer registered here (Hartshire police)" in page
    assert raw_codes_in(page) == []


def test_a_manager_without_an_evaluation_agreement_is_refused_inside_the_page(
    run_plan: dict[str, Any],
) -> None:
    police = sharing.agency(AgencyKind.POLICE, slug="hartshire-police")
    manager = sharing.worker(police, Role.TEAM_MANAGER)
    page = (
        signed_in(manager)
        .get(reverse("evaluation:plan", kwargs={"pk": run_plan["plan"].pk}))
        .content.decode()
    )
    assert "You cannot see these results" in page
    assert "Matched (headline)" not in page
    assert AuditEntry.objects.get(actor_username=manager.username).outcome == "deny"


def test_json_export_is_suppressed_aggregate_and_audited_as_an_export(
    run_plan: dict[str, Any],
) -> None:
    response = signed_in(run_plan["manager"]).get(
        reverse("evaluation:plan-export", kwargs={"pk": run_plan["plan"].pk, "fmt": "json"})
    )
    body = json.loads(response.content)
    assert body["released"] is True
    assert body["plan"]["fingerprint"] == run_plan["plan"].fingerprint
    assert {o["key"] for o in body["outcomes"]} == {"social_care_referral", "police_callout"}
    police = next(o for o in body["outcomes"] if o["key"] == "police_callout")
    assert police["counts"]["treated_with"] in (0, "<5") or police["counts"]["treated_with"] >= 5
    assert "F-0000" not in response.content.decode()
    assert (
        AuditEntry.objects.filter(
            actor_username=run_plan["manager"].username, action="export"
        ).count()
        == 1
    )


def test_csv_export_lists_naive_matched_and_doubly_robust_rows(run_plan: dict[str, Any]) -> None:
    response = signed_in(run_plan["analyst"]).get(
        reverse("evaluation:plan-export", kwargs={"pk": run_plan["plan"].pk, "fmt": "csv"})
    )
    text = response.content.decode()
    assert "effect,social_care_referral,naive," in text
    assert "effect,social_care_referral,matched," in text
    assert "balance,prior_events," in text


def test_unknown_export_format_is_a_404(run_plan: dict[str, Any]) -> None:
    url = reverse("evaluation:plan-export", kwargs={"pk": run_plan["plan"].pk, "fmt": "xlsx"})
    assert signed_in(run_plan["manager"]).get(url).status_code == 404


def test_analyst_writes_a_draft_plan_with_form_errors_for_bad_input(
    run_plan: dict[str, Any],
) -> None:
    client = signed_in(run_plan["analyst"])
    bad = client.post(
        reverse("evaluation:plan-new"),
        {"title": "x", "intake_start": "2024-05-01", "intake_end": "2024-04-01"},
    )
    assert bad.status_code == 200
    assert "There is a problem" in bad.content.decode()
    good = client.post(
        reverse("evaluation:plan-new"),
        {"title": "Second look", "service": run_plan["plan"].service_id, "treatment_source": "support_events",
         "treatment_agency": "hcc-social-care", "treatment_kind": "edge_of_care_support",
         "intake_start": "2024-04-01", "intake_end": "2024-06-29", "child_min_age": 10, "child_max_age": 17,
         "pre_window_days": 365, "covariate_anchor": "intake_start", "outcome_window_days": 270, "outcomes": ["social_care_referral"],
         "primary_outcome": "social_care_referral", "covariates": ["prior_events", "deprivation"],
         "exact_on_locality": "on", "caliper_sd": 0.2, "controls_per_treated": 1, "min_group_size": 50},
    )  # fmt: skip
    assert good.status_code == 302
    page = client.get(good["Location"]).content.decode()
    assert "Draft" in page
    assert "Lock this plan" in page


def test_a_plan_is_locked_only_from_its_check_your_answers_page(run_plan: dict[str, Any]) -> None:
    from wraparound.core.tests.raw_codes import raw_codes_in
    from wraparound.evaluation.models import EvaluationPlan

    plan = draft_plan(service=run_plan["plan"].service, reference="second-look")
    client = signed_in(run_plan["analyst"])
    url = reverse("evaluation:plan-lock", kwargs={"pk": plan.pk})
    check = client.get(url).content.decode()
    assert "Check the plan before you lock it" in check
    assert "Locking cannot be undone" in check
    assert "Edge of care" in check or "edge of care" in check.lower()
    assert raw_codes_in(check.split('name="csrfmiddlewaretoken"')[0]) == []
    assert client.post(url).status_code == 302
    assert not EvaluationPlan.objects.get(pk=plan.pk).is_locked, "a POST without confirm"
    locked = client.post(url, {"confirm": "yes"})
    assert locked["Location"] == reverse("evaluation:plan", kwargs={"pk": plan.pk})
    assert EvaluationPlan.objects.get(pk=plan.pk).is_locked
    again = client.get(url)
    assert again.status_code == 302, "a locked plan has nothing to check"


def test_a_new_version_from_the_page_supersedes_the_locked_plan(run_plan: dict[str, Any]) -> None:
    client = signed_in(run_plan["analyst"])
    plan = run_plan["plan"]
    form = client.get(reverse("evaluation:plan-new") + f"?from={plan.pk}")
    assert f"New version of {plan.reference} v1" in form.content.decode()
    assert client.get(reverse("evaluation:plan-new") + "?from=abc").status_code == 404
