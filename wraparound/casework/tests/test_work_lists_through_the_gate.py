"""The work lists read personal data only through the gate (issue 13 review, item 5).

``casework/selectors.py`` used to read plans, reviews and assessments itself (allow-listed);
only action descriptions passed the gate. Now every dated item passes ``gate.read`` for its
family, the raw reads live in ``sources``, and the policy-bypass scan holds selectors to it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from wraparound.casework import plan_services, selectors, services
from wraparound.casework.tests.casework_builders import Team, team_around_family
from wraparound.core.tests.test_no_bypass_of_the_policy import (
    ROOT,
    allowed_modules,
    find_bypasses,
    personal_models,
    related_accessors,
)
from wraparound.sharing.tests import factories as sharing

SELECTORS = "wraparound/casework/selectors.py"


def test_the_casework_selectors_are_not_allowed_to_read_personal_data_raw() -> None:
    assert SELECTORS not in allowed_modules()
    source = (ROOT.parent / SELECTORS).read_text(encoding="utf-8")
    assert find_bypasses(source, SELECTORS, personal_models(), related_accessors()) == []
    assert Path(ROOT / "casework" / "selectors.py").is_file()


def _health_leads_a_plan_early_help_holds(team: Team) -> None:
    today = timezone.localdate()
    plan_services.record_review(
        by=team.lead, case=team.case, held_on=today - dt.timedelta(days=30),
        attendees="Lee Lead\nMother", decisions="Carry on",
        next_review_on=today + dt.timedelta(days=3),
    )  # fmt: skip
    team.case.refresh_from_db()
    services.change_lead(
        by=team.manager, case=team.case, new_lead=team.health_visitor,
        expected_version=team.case.version,
    )  # fmt: skip


@pytest.mark.django_db
def test_a_review_date_in_a_plan_the_lead_may_not_read_is_withheld_not_shown() -> None:
    team = team_around_family()
    _health_leads_a_plan_early_help_holds(team)  # no agreement shares early help's plan

    tasks = selectors.tasks_for(team.health_visitor)

    assert [t.kind for t in tasks] == ["withheld"]
    assert "1 item due for this family not shown" in tasks[0].what


@pytest.mark.django_db
def test_the_same_review_is_a_task_once_an_agreement_shares_the_plan() -> None:
    team = team_around_family()
    _health_leads_a_plan_early_help_holds(team)
    sharing.agreement(  # work lists are read for case management
        parties=[team.family.early_help, team.family.health],
        shares=[(team.family.early_help, "early_help")],
        purposes=["case_management"],
    )

    tasks = selectors.tasks_for(team.health_visitor)

    assert [(t.kind, t.what) for t in tasks] == [("review", "Team around the family review due")]
