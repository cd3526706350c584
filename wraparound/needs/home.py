"""Home cards: the targeting headline for those who plan, families to act on for practitioners."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from wraparound.core.home import ChartBar, HomeCard
from wraparound.core.models import Role
from wraparound.needs import reports
from wraparound.needs.targeting import COUNTY
from wraparound.sharing.models import AuditAction


def home_cards(user: Any) -> list[HomeCard]:
    cards: list[HomeCard] = []
    run = reports.latest_run()
    if run is None:
        return cards
    if user.role == Role.PRACTITIONER:
        cards.append(_families_to_act_on(user, run))
    if user.role in (Role.TEAM_MANAGER, Role.DATA_ANALYST):
        cards.append(_targeting_headline(user, run))
    return cards


def _families_to_act_on(user: Any, run: Any) -> HomeCard:
    from wraparound.needs.selectors import families_at_risk_not_supported

    # The same audited question as the at-risk list, so the count is of families the user may
    # open *and* whose shown needs put them at risk: never a figure derived from withheld flags.
    count = len(families_at_risk_not_supported(user=user, run=run))
    return HomeCard(
        title="Your families at risk and not supported",
        count=count,
        url=reverse("needs:at-risk"),
        link_text="See these families",
        description=f"Families you work with whose needs put them at risk, with no support "
        f"recorded, as of {run.reference_date:%-d %B %Y}.",
        needs_action=count > 0,
    )


def _targeting_headline(user: Any, run: Any) -> HomeCard:
    """Read through the sharing gate (aggregate purpose), audited like the report page."""
    url = reverse("needs:targeting")
    try:
        report = reports.release_targeting_report(user=user, action=AuditAction.VIEW, run=run)
    except reports.ReportRefusedError as refusal:
        return HomeCard(title="Targeting", url=url, link_text="See why", description=str(refusal))
    rows = report.by_locality.rows
    county = next((r for r in rows if r.group == COUNTY), None)
    not_supported = county.cells["at_risk_not_supported"] if county else None
    chart = [
        ChartBar(
            row.group,
            row.cells["at_risk_not_supported"].value
            if row.cells["at_risk_not_supported"].shown
            else None,
            row.cells["at_risk_not_supported"].display(),
        )
        for row in rows
        if row.group != COUNTY
    ]
    return HomeCard(
        title="Families at risk and not supported",
        count=not_supported.value if not_supported and not_supported.shown else None,
        url=url,
        link_text="See the targeting report",
        description=f"Across the partnership as of {run.reference_date:%-d %B %Y}"
        + ("" if not_supported is None or not_supported.shown else ": too few to show")
        + ". Aggregate figures: no family is named.",
        chart_title="At risk, not supported, by locality",
        chart=chart,
    )
