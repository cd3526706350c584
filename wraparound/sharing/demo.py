"""Demo data: the Hartshire partnership's sharing agreements, relationships and consent.

Agreements are made through the same services an IG officer uses (drafted, then approved by
each party's IG officer), so the demo's audit log starts with their approvals. Workers'
relationships with families are casework's demo (it allocates caseloads).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from wraparound.core.models import Agency, Role, User
from wraparound.sharing import services
from wraparound.sharing.catalogues import catalogues
from wraparound.sharing.models import (
    SharingAgreement,
)
from wraparound.sharing.services import AgreementDraft, PartySpec

# Lawful bases each kind of statutory partner relies on for safeguarding (governance notes A3).
SAFEGUARDING_BASES = {
    "social_care": ["ART6_1_E", "ART9_2_G", "DPA_S1_P18", "CA1989_S17", "CA1989_S47", "CA2004_S11"],
    "early_help": ["ART6_1_E", "ART9_2_G", "DPA_S1_P18", "CA2004_S10", "CA2004_S11"],
    "education": ["ART6_1_E", "ART9_2_G", "DPA_S1_P18", "CA2004_S11"],
    "health": ["ART6_1_E", "ART9_2_H", "DPA_S1_P18", "CA2004_S11", "CSWA2017"],
    "police": ["ART6_1_E", "ART10", "DPA_S1_P18", "CDA1998_S115", "CA2004_S11", "CSWA2017"],
    "housing": ["ART6_1_E", "DPA_S1_P18", "CA2004_S11", "CDA1998_S115"],
    "youth_justice": ["ART6_1_E", "ART10", "DPA_S1_P18", "CDA1998_S115", "CA2004_S11"],
    "voluntary": ["ART6_1_A", "ART9_2_G", "DPA_S1_P18"],
}
EARLY_HELP_BASES = {"voluntary": ["ART6_1_A", "ART9_2_G"], "health": ["ART6_1_E", "ART9_2_H"]}


def _ig(agency: Agency) -> User:
    officer = User.objects.filter(agency=agency, role=Role.IG_OFFICER).first()
    if officer is None:
        officer = User.objects.create(
            username=f"{agency.slug}-ig-officer", agency=agency, role=Role.IG_OFFICER
        )
    return officer


def _party(agency: Agency, bases: dict[str, list[str]], shares: bool = True) -> PartySpec:
    provides = list(catalogues().provided_by_kind[agency.kind]) if shares else []
    return PartySpec(
        agency=agency, lawful_bases=bases.get(agency.kind, ["ART6_1_E"]), provides=provides
    )


def _make(draft: AgreementDraft, *, approve_by: list[Agency]) -> SharingAgreement:
    author = _ig(draft.parties[0].agency)
    agreement = services.create_agreement(by=author, draft=draft)
    for agency in approve_by:
        agreement = services.approve_agreement(by=_ig(agency), agreement=agreement)
    return agreement


def _agreements(agencies: list[Agency]) -> list[SharingAgreement]:
    today = timezone.localdate()
    statutory = [a for a in agencies if a.is_statutory]
    council = [a for a in agencies if a.slug.startswith("hcc-")]
    by_slug = {a.slug: a for a in agencies}
    early_help_parties = [
        a for a in agencies
        if a.kind in {"early_help", "social_care", "education", "housing", "voluntary"}
        or a.slug == "hartshire-community-health"
    ]  # fmt: skip
    tier1 = AgreementDraft(
        reference="DSA-001",
        title="Hartshire Tier 1 safeguarding children information-sharing agreement",
        purpose_statement=(
            "To share information between the statutory safeguarding partners and relevant "
            "agencies where a child is, or may be, at risk of significant harm, and to manage "
            "the cases of children allocated to a worker, and for the partners' data analysts "
            "to check that the master index links each child's records correctly (linkage "
            "review of the fields compared), and for team managers to triage the families the "
            "needs analysis finds at risk and not yet supported, so that each is allocated a "
            "lead practitioner. Sharing is under public task and DPA 2018 "
            "Schedule 1 paragraph 18; consent is not the basis."
        ),
        purposes=["safeguarding", "case_management", "linkage_review", "triage"],
        parties=[_party(a, SAFEGUARDING_BASES) for a in statutory],
        start_date=today - dt.timedelta(days=400),
        end_date=today + dt.timedelta(days=700),
        review_date=today + dt.timedelta(days=150),
        retention="Six years after the child's 18th birthday, then secure deletion",
        data_subjects=["child", "parent", "household_member"],
        consent_required=False,
        dpia_reference="DPIA-2025-014",
    )
    early_help = AgreementDraft(
        reference="DSA-002",
        title="Early help coordination with families' consent",
        purpose_statement=(
            "To coordinate early help around a family who has agreed to it: an early help "
            "assessment, a family plan and a team around the family including voluntary "
            "groups. Sharing needs the family's consent, which they may withdraw at any time."
        ),
        purposes=["early_help_coordination"],
        parties=[_party(a, EARLY_HELP_BASES) for a in early_help_parties],
        start_date=today - dt.timedelta(days=200),
        end_date=today + dt.timedelta(days=900),
        review_date=today + dt.timedelta(days=165),
        retention="Two years after the family plan closes",
        data_subjects=["child", "parent", "household_member"],
        consent_required=True,
        no_consent_conditions=["DPA_S1_P18_2_A", "DPA_S1_P18_2_B", "DPA_S1_P18_2_C"],
        dpia_reference="DPIA-2025-022",
    )
    aggregate_parties = [*council, by_slug["hartshire-icb"], by_slug["hartshire-police"]]
    planning = AgreementDraft(
        reference="DSA-003",
        title="Service planning and outcomes measurement (aggregate only)",
        purpose_statement=(
            "To count needs and outcomes across Hartshire to plan and commission services and "
            "to evaluate them. Only aggregate figures leave the system; no family is named."
        ),
        purposes=[
            "service_planning_aggregate",
            "outcomes_evaluation_aggregate",
            "service_evaluation_aggregate",
        ],
        parties=[_party(a, {}, shares=False) for a in aggregate_parties],
        start_date=today - dt.timedelta(days=100),
        end_date=today + dt.timedelta(days=1000),
        retention="Aggregates kept indefinitely; no personal data retained",
        data_subjects=["child", "parent"],
        dpia_reference="DPIA-2025-031",
        # Team managers and analysts plan localities' early help on the service's own pages:
        # they see counts down to 3; exports keep publication suppression.
        operational_suppression_threshold=3,
        operational_roles=["team_manager", "data_analyst"],
    )
    encompass_parties = [
        by_slug["hartshire-police"],
        by_slug["hcc-education"],
        by_slug["harbridge-academy"],
    ]
    encompass = AgreementDraft(
        reference="DSA-004",
        title="Domestic abuse notifications to schools (draft)",
        purpose_statement=(
            "To tell a child's school before the next school day that police attended a "
            "domestic abuse incident in the child's home, so the school can support the child."
        ),
        purposes=["safeguarding"],
        parties=[
            PartySpec(encompass_parties[0], SAFEGUARDING_BASES["police"], ["police"]),
            *[PartySpec(a, SAFEGUARDING_BASES["education"], []) for a in encompass_parties[1:]],
        ],
        start_date=today + dt.timedelta(days=30),
        retention="Until the child leaves the school",
        data_subjects=["child"],
    )
    old = AgreementDraft(
        reference="DSA-000",
        title="Troubled Families phase 2 data sharing (2015 to 2020)",
        purpose_statement="Identifying families for the Troubled Families programme, phase 2.",
        purposes=["early_help_coordination", "service_planning_aggregate"],
        parties=[_party(a, SAFEGUARDING_BASES) for a in council],
        start_date=dt.date(2015, 4, 1),
        end_date=dt.date(2020, 3, 31),
        retention="Deleted at the end of the programme",
        data_subjects=["child", "parent"],
    )
    made = [
        _make(tier1, approve_by=statutory),
        _make(early_help, approve_by=early_help_parties),
        _make(planning, approve_by=aggregate_parties),
        _make(encompass, approve_by=encompass_parties[:1]),
    ]
    expired = _make(old, approve_by=council)
    made.append(services.expire_agreement(by=_ig(council[0]), agreement=expired))
    return made


@transaction.atomic
def load_demo(context: dict[str, Any]) -> str:
    agencies = list(Agency.objects.order_by("name"))
    if not agencies:
        return "no agencies: sharing demo skipped"
    known = {a.slug for a in agencies}
    needed = {"hartshire-icb", "hartshire-police", "hcc-education", "harbridge-academy"}
    if not needed <= known:
        return f"demo agencies missing ({', '.join(sorted(needed - known))}): agreements skipped"
    notes = []
    if not SharingAgreement.objects.filter(reference="DSA-001").exists():
        made = _agreements(agencies)
        notes.append(f"{len(made)} sharing agreements (3 in force, 1 draft, 1 expired)")
    else:
        notes.append("sharing agreements already loaded")
    return "; ".join(notes)
