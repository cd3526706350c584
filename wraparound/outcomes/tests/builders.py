"""A family with a planted progress story, for outcomes tests.

Engaged ``ENGAGED_DAYS_AGO`` days ago with three needs: domestic abuse (seven police
incidents in the year before engagement, none since: met), school attendance (persistent
absence before and again since, the last within the quiet period: not met) and rent arrears
(six housing actions before, none since: met). An allocated early-help practitioner, a team manager of the same agency, an
internal auditor (the auditor role) of the same agency, and an agreement letting early help see police, education and housing data for outcomes
review and claim assurance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from wraparound.core.models import Agency, AgencyKind, Role
from wraparound.records.models import Extract, SourceEvent, SourceRecord
from wraparound.sharing.tests import factories as sharing

ENGAGED_DAYS_AGO = 500
# Domestic abuse incidents and rent arrears actions in the year before engagement: often
# enough that 500 quiet days since are improbable for a need still there at half the rate
# (the data propose met), while 185 quiet days are not (quiet, but unconfirmed).
POLICE_INCIDENTS = (-330, -280, -230, -180, -130, -80, -30)
ARREARS_ACTIONS = (-320, -260, -200, -140, -50, -10)
PURPOSES = ("outcomes_review", "claim_assurance")


@dataclass
class StoryFamily:
    family_public_id: str
    engaged_on: dt.date
    practitioner: Any
    manager: Any
    auditor: Any
    police: Agency
    school: Agency
    housing: Agency
    early_help: Agency
    records: dict[str, SourceRecord]


def _extract(agency: Agency, kind: str) -> Extract:
    return Extract.objects.create(
        agency=agency,
        dataset_kind=kind,
        file_name=f"{kind}.csv",
        sha256=f"{agency.slug}-{kind}".ljust(64, "0")[:64],
        file_format="csv",
        received_at=timezone.now(),
    )


def add_event(record: SourceRecord, kind: str, when: dt.date) -> SourceEvent:
    n = SourceEvent.objects.count() + 1
    return SourceEvent.objects.create(
        extract=record.extract,
        record=record,
        row_number=n,
        event_key=f"{record.record_key}:{kind}:{n}",
        kind=kind,
        event_date=when,
    )


def story_family(family_public_id: str = "F-STORY001") -> StoryFamily:
    from wraparound.matching.models import Family, FamilyMembership, Person, PersonRecordLink

    police = sharing.agency(
        AgencyKind.POLICE, slug="hartshire-police", name="Hartshire Constabulary"
    )
    school = sharing.agency(AgencyKind.EDUCATION, slug="hcc-education", name="Education")
    housing = sharing.agency(AgencyKind.HOUSING, slug="hartshire-homes", name="Hartshire Homes")
    early_help = sharing.agency(AgencyKind.EARLY_HELP, slug="hcc-early-help", name="Early Help")
    today = timezone.localdate()
    engaged = today - dt.timedelta(days=ENGAGED_DAYS_AGO)
    family = Family.objects.create(public_id=family_public_id)
    mother = Person.objects.create(public_id=f"P-{family_public_id[2:]}M")
    child = Person.objects.create(public_id=f"P-{family_public_id[2:]}C")
    FamilyMembership.objects.create(family=family, person=mother, role="adult")
    FamilyMembership.objects.create(family=family, person=child, role="child")
    records = {}
    for name, agency, kind, person in (
        ("police", police, "incidents", mother),
        ("school", school, "attendance", child),
        ("housing", housing, "tenancy", mother),
    ):
        extract = _extract(agency, kind)
        record = SourceRecord.objects.create(
            extract=extract,
            row_number=1,
            record_key=f"{agency.slug}:{kind}:{family_public_id}{name}",
            source_id=f"{family_public_id}{name}",
            first_name="Kelly" if person is mother else "Ruby",
            surname="Booth",
        )
        PersonRecordLink.objects.create(
            person=person, record_key=record.record_key, match_probability=0.99, why={}
        )
        records[name] = record

    def day(offset: int) -> dt.date:
        return engaged + dt.timedelta(days=offset)

    events: dict[str, list[SourceEvent]] = {"police": [], "school": [], "housing": []}
    for offset in POLICE_INCIDENTS:
        events["police"].append(
            add_event(records["police"], "domestic_abuse_incident", day(offset))
        )
    for offset in (-90, -20):
        events["school"].append(add_event(records["school"], "persistent_absence", day(offset)))
    for offset in ARREARS_ACTIONS:
        events["housing"].append(add_event(records["housing"], "rent_arrears", day(offset)))
    # Coverage: each source has data up to today (a routine event nobody is concerned about).
    for name in records:
        add_event(records[name], "other", today)
    add_event(records["school"], "persistent_absence", day(ENGAGED_DAYS_AGO - 40))
    _needs_run(family_public_id, engaged, events)
    practitioner = sharing.worker(early_help, username=f"eh-worker-{family_public_id}")
    manager = sharing.worker(
        early_help, Role.TEAM_MANAGER, username=f"eh-manager-{family_public_id}"
    )
    auditor = sharing.worker(early_help, Role.AUDITOR, username=f"eh-auditor-{family_public_id}")
    sharing.relationship(practitioner, family_public_id)
    sharing.agreement(
        parties=[police, school, housing, early_help],
        shares=[(police, "police"), (housing, "housing"), (school, "education")],
        purposes=PURPOSES,
    )
    return StoryFamily(
        family_public_id,
        engaged,
        practitioner,
        manager,
        auditor,
        police,
        school,
        housing,
        early_help,
        records,
    )


def _needs_run(
    family_public_id: str, engaged: dt.date, events: dict[str, list[SourceEvent]]
) -> None:
    from wraparound.needs.models import NeedFlag, NeedsRun, RunStatus

    run = NeedsRun.objects.create(
        reference_date=engaged,
        status=RunStatus.COMPLETE,
        finished_at=timezone.now(),
        catalogue_checksum="test",
    )
    for source, outcome, indicator, slug in (
        ("police", "domestic_abuse", "domestic_abuse_incident", "hartshire-police"),
        ("school", "education", "persistent_absence", "hcc-education"),
        ("housing", "secure_housing", "repeated_rent_arrears", "hartshire-homes"),
    ):
        found = events[source]
        NeedFlag.objects.create(
            run=run,
            family_public_id=family_public_id,
            outcome=outcome,
            indicator_key=indicator,
            level=3,
            event_count=len(found),
            first_evidence_date=found[0].event_date,
            last_evidence_date=found[-1].event_date,
            agencies=[slug],
            evidence=[
                {
                    "event_key": e.event_key,
                    "agency_slug": slug,
                    "kind": e.kind,
                    "event_date": e.event_date.isoformat(),
                }
                for e in found
            ],
        )


def claimable_baseline(story: StoryFamily) -> Any:
    """The story family's baseline ready to claim: its late absence removed, every need
    recorded met at a closing review 185 days in, support ended then."""
    from wraparound.outcomes import services
    from wraparound.outcomes.services import StatusEntry

    baseline = services.fix_baseline(
        by=story.practitioner, family_public_id=story.family_public_id, engaged_on=story.engaged_on
    )
    story.records["school"].events.filter(
        kind="persistent_absence", event_date__gt=story.engaged_on
    ).delete()
    closing = story.engaged_on + dt.timedelta(days=185)
    statuses = {n.pk: StatusEntry("met", "TAF review") for n in baseline.baseline_needs.all()}
    services.record_review(
        by=story.practitioner, baseline=baseline, reviewed_on=closing, statuses=statuses
    )
    services.end_support(by=story.practitioner, baseline=baseline, ended_on=closing)
    return baseline


def validated_claim(story: StoryFamily) -> Any:
    """The story family taken to a claim (see ``claimable_baseline``), made and validated."""
    from wraparound.outcomes import services

    claim = services.make_claim(by=story.practitioner, baseline=claimable_baseline(story))
    return services.validate_claim(by=story.manager, claim=claim)
