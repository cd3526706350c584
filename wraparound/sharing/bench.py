"""Benchmark of the policy decision point and the gate (decide + audit), for `bench policy`.

Builds a small partnership inside a transaction that is rolled back, so it can run against
any database (including the demo's) without leaving anything behind.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.template import engines
from django.utils import timezone

from wraparound.core.models import Agency, AgencyKind, Role, User
from wraparound.sharing import gate
from wraparound.sharing.models import (
    AgreementParty,
    AgreementStatus,
    CareRelationship,
    ConsentRecord,
    SharedCategory,
    SharingAgreement,
)
from wraparound.sharing.policy import decide

FAMILY = "F-BENCHPOL"
ROW_TEMPLATE = """<table class="govuk-table"><tbody class="govuk-table__body">
{% for e in events %}<tr class="govuk-table__row"><td class="govuk-table__cell">{{ e.when|date:"j M Y" }}</td>
<td class="govuk-table__cell">{{ e.agency_name }}</td><td class="govuk-table__cell">{{ e.category }}</td>
<td class="govuk-table__cell">{{ e.detail }}</td></tr>{% endfor %}</tbody></table>
{% for w in withheld %}<p class="govuk-body">{{ w.provider }}: {{ w.category }} withheld. {{ w.reason }}</p>{% endfor %}"""


@dataclass
class Event:
    agency_id: int
    agency_name: str
    category: str
    when: Any
    detail: str


class _RollbackError(Exception):
    pass


def _partnership() -> tuple[User, list[Agency]]:
    kinds = [AgencyKind.EARLY_HELP, AgencyKind.POLICE, AgencyKind.HEALTH, AgencyKind.EDUCATION]
    agencies = [
        Agency.objects.create(slug=f"bench-{k}", name=f"Bench {k}", kind=k, is_statutory=True)
        for k in kinds
    ]
    today = timezone.localdate()
    for n, (purposes, consent) in enumerate(
        [
            (["safeguarding"], False),
            (["early_help_coordination"], True),
            (["case_management"], False),
        ]
    ):
        agreement = SharingAgreement.objects.create(
            reference=f"BENCH-{n}",
            title="bench",
            purpose_statement="bench",
            purposes=purposes,
            retention="n/a",
            start_date=today,
            status=AgreementStatus.APPROVED,
            consent_required=consent,
        )
        for agency in agencies:
            AgreementParty.objects.create(
                agreement=agreement, agency=agency, lawful_bases=["ART6_1_E"], approved_version=1
            )
        for agency, category in zip(agencies[1:], ["police", "health", "education"], strict=True):
            SharedCategory.objects.create(
                agreement=agreement, providing_agency=agency, category=category
            )
    user = User.objects.create(
        username="bench-policy-worker", agency=agencies[0], role=Role.PRACTITIONER
    )
    CareRelationship.objects.create(
        family_public_id=FAMILY, kind="allocated_worker", user=user, agency=agencies[0]
    )
    ConsentRecord.objects.create(family_public_id=FAMILY, decision="given", recorded_by=user)
    return user, agencies


def _median_ms(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run(
    *,
    decisions: int = 500,
    events: int = 200,
    repeat: int = 30,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Measure decide() throughput and the gate's cost on a 200-event page fragment."""
    results: dict[str, Any] = {}
    try:
        with transaction.atomic():
            user, agencies = _partnership()
            asked = [(a, c) for a in agencies for c in ("identity", "contact")] + [
                (agencies[1], "police"),
                (agencies[2], "health"),
                (agencies[3], "education"),
            ]
            purpose = "early_help_coordination"  # consent-based: the most work per decision
            start = time.perf_counter()
            for _ in range(decisions):
                decide(user=user, family_public_id=FAMILY, categories=asked, purpose=purpose)
                if progress:
                    progress(1)
            elapsed = time.perf_counter() - start
            results["decide_calls_per_second"] = round(decisions / elapsed, 1)
            results["category_decisions_per_second"] = round(decisions * len(asked) / elapsed, 1)
            results["categories_per_call"] = len(asked)

            names = {a.pk: a.name for a in agencies}
            cats = ["identity", "police", "health", "education", "contact"]
            items = [
                Event(
                    agencies[i % 4].pk,
                    names[agencies[i % 4].pk],
                    cats[i % 5],
                    timezone.now(),
                    f"event {i}",
                )
                for i in range(events)
            ]
            template = engines["django"].from_string(ROW_TEMPLATE)

            def without_gate() -> str:
                return template.render({"events": list(items), "withheld": []})

            def with_gate() -> str:
                read = gate.read(user=user, family_public_id=FAMILY, purpose=purpose, items=items)
                return template.render({"events": read.visible_items, "withheld": read.withheld})

            without_gate(), with_gate()  # warm templates and catalogues
            base = _median_ms(without_gate, repeat)
            gated = _median_ms(with_gate, repeat)
            audit_only = _median_ms(
                lambda: gate.audit_decision(
                    user=user,
                    decision=decide(
                        user=user, family_public_id=FAMILY, categories=asked[:1], purpose=purpose
                    ),
                    action="view",
                ),
                repeat,
            )
            results.update(
                events=events,
                render_without_gate_ms=round(base, 2),
                render_with_gate_ms=round(gated, 2),
                gate_added_ms=round(gated - base, 2),
                gate_overhead_percent_of_fragment=round(100 * (gated - base) / base, 1),
                decide_plus_audit_single_category_ms=round(audit_only, 2),
                repeat=repeat,
            )
            raise _RollbackError
    except _RollbackError:
        pass
    return results
