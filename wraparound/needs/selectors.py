"""Reads of identified families' needs: always through the sharing policy and gate.

The "at risk, not supported" list names families, so a practitioner sees only the families
the policy says they may open (``gate.list_families``, an audited list question), and within
each family only the flags *all* of whose evidence comes from agencies and categories the gate
permits; every family shown is an audited read. Counts and levels shown for a family are
computed from those flags only, never from the stored profile (which counts withheld flags). Team managers get the same question answered in aggregate only (see
``reports``): the list never names a family to a manager.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wraparound.core.models import Agency
from wraparound.needs.indicators import load_catalogue
from wraparound.needs.models import FamilyNeedsProfile, NeedFlag, NeedsRun
from wraparound.records.vocabulary import kind_categories
from wraparound.sharing.readers import Reader

LIST_PURPOSE = "early_help_coordination"
AGGREGATE_PURPOSE = "service_planning_aggregate"


@dataclass(frozen=True)
class EvidenceItem:
    """One agency's data behind a flag, as the gate sees it (provider and category)."""

    agency_id: int
    category: str
    flag_id: int


@dataclass(frozen=True)
class VisibleFlag:
    outcome: str
    outcome_label: str
    indicator_key: str
    explanation: str
    level: int
    event_count: int
    last_evidence_date: Any
    agencies: list[str]


@dataclass(frozen=True)
class FamilyToActOn:
    family_public_id: str
    locality: str
    outcome_count: int
    max_level: int
    flags: list[VisibleFlag]
    withheld: int


def _evidence_items(flags: list[NeedFlag], agencies: dict[str, int]) -> list[EvidenceItem]:
    categories = kind_categories()
    items = []
    for flag in flags:
        pairs = {(e["agency_slug"], categories.get(e["kind"], "")) for e in flag.evidence}
        items += [
            EvidenceItem(agencies[slug], category, flag.pk)
            for slug, category in sorted(pairs)
            if slug in agencies and category
        ]
    return items


def _visible_flags(
    user: Reader,
    profile: FamilyNeedsProfile,
    flags: list[NeedFlag],
    agencies: dict[str, int],
    request_id: str | None = None,
) -> tuple[list[VisibleFlag], int]:
    from wraparound.sharing.gate import read

    evidence = _evidence_items(flags, agencies)
    filtered = read(
        user=user,
        family_public_id=profile.family_public_id,
        purpose=LIST_PURPOSE,
        items=evidence,
        request_id=request_id,
    )
    return shown_flags(flags, evidence, filtered.visible_items, agencies)


def shown_flags(
    flags: list[NeedFlag],
    evidence: list[EvidenceItem],
    permitted_evidence: list[Any],
    agencies: dict[str, int],
) -> tuple[list[VisibleFlag], int]:
    """The flags whose every piece of evidence the gate let through, and how many are not."""
    catalogue = load_catalogue()
    indicators = {i.key: i for i in catalogue.indicators}
    permitted = {
        (i.agency_id, i.category, i.flag_id)
        for i in permitted_evidence
        if isinstance(i, EvidenceItem)
    }
    needed: dict[int, set[tuple[int, str, int]]] = {}
    for item in evidence:
        needed.setdefault(item.flag_id, set()).add((item.agency_id, item.category, item.flag_id))
    # A flag is shown only when every agency's evidence behind it may be seen: its level was
    # computed from all of it, so showing it on partial evidence would disclose the rest.
    shown_ids = {flag_id for flag_id, keys in needed.items() if keys <= permitted}
    names = {pk: slug for slug, pk in agencies.items()}
    shown = []
    for flag in flags:
        if flag.pk not in shown_ids:
            continue
        indicator = indicators.get(flag.indicator_key)
        permitted_agencies = sorted(names[a] for a, _, f in permitted if f == flag.pk)
        shown.append(
            VisibleFlag(
                outcome=flag.outcome,
                outcome_label=catalogue.outcome_labels.get(flag.outcome, flag.outcome),
                indicator_key=flag.indicator_key,
                explanation=indicator.explanation if indicator else flag.indicator_key,
                level=flag.level,
                event_count=flag.event_count,
                last_evidence_date=flag.last_evidence_date,
                agencies=sorted(set(permitted_agencies)),
            )
        )
    return shown, len(flags) - len(shown)


def families_at_risk_not_supported(
    *, user: Reader, run: NeedsRun, locality: str | None = None, request_id: str | None = None
) -> list[FamilyToActOn]:
    """Families the user may open that are at risk and not supported, with what they may see."""
    from wraparound.sharing.gate import list_families

    visible = list_families(user=user, purpose=LIST_PURPOSE, request_id=request_id)
    if not visible:
        return []
    profiles = FamilyNeedsProfile.objects.filter(
        run=run, at_risk=True, supported=False, family_public_id__in=visible
    )
    if locality:
        profiles = profiles.filter(locality=locality)
    flags_of: dict[str, list[NeedFlag]] = {}
    for flag in NeedFlag.objects.filter(
        run=run, family_public_id__in=[p.family_public_id for p in profiles]
    ):
        flags_of.setdefault(flag.family_public_id, []).append(flag)
    agencies = dict(Agency.objects.values_list("slug", "pk"))
    result = []
    for profile in profiles:
        shown, withheld = _visible_flags(
            user, profile, flags_of.get(profile.family_public_id, []), agencies, request_id
        )
        if not shown:  # at risk only on evidence the user may not see: listing it would tell
            continue
        result.append(
            FamilyToActOn(
                family_public_id=profile.family_public_id,
                locality=profile.locality,
                outcome_count=len({f.outcome for f in shown}),
                max_level=max((f.level for f in shown), default=0),
                flags=shown,
                withheld=withheld,
            )
        )
    return result


@dataclass(frozen=True)
class TriageCandidate:
    """A family on the triage queue: at risk and not supported in the run (no names here)."""

    family_public_id: str
    locality: str
    outcome_count: int
    max_level: int
    children: int


def awaiting_triage(run: NeedsRun) -> list[TriageCandidate]:
    """Every family the run found at risk and not supported, most pressing first.

    Raw: the triage queue (``casework.triage``) shows identities only through the gate for
    the triage purpose, and otherwise only how many there are and their place in the queue.
    """
    profiles = FamilyNeedsProfile.objects.filter(run=run, at_risk=True, supported=False).order_by(
        "-max_level", "-outcome_count", "family_public_id"
    )
    return [
        TriageCandidate(fid, locality, outcomes, level, children)
        for fid, locality, outcomes, level, children in profiles.values_list(
            "family_public_id", "locality", "outcome_count", "max_level", "children"
        )
    ]


def is_awaiting_triage(family_public_id: str) -> tuple[bool, NeedsRun | None]:
    """Whether the latest finished needs run found the family at risk and not supported."""
    from wraparound.needs.reports import latest_run

    run = latest_run()
    if run is None:
        return False, None
    found = FamilyNeedsProfile.objects.filter(
        run=run, family_public_id=family_public_id, at_risk=True, supported=False
    ).exists()
    return found, run


def flags_of_families(run: NeedsRun, family_public_ids: list[str]) -> dict[str, list[NeedFlag]]:
    """The run's need flags for these families (raw; shown only through ``shown_flags``)."""
    flags_of: dict[str, list[NeedFlag]] = {}
    for flag in NeedFlag.objects.filter(run=run, family_public_id__in=family_public_ids):
        flags_of.setdefault(flag.family_public_id, []).append(flag)
    return flags_of


def agency_ids() -> dict[str, int]:
    """Agency slug -> id, to key flag evidence for the gate."""
    return dict(Agency.objects.values_list("slug", "pk"))


def evidence_items(flags: list[NeedFlag], agencies: dict[str, int]) -> list[EvidenceItem]:
    """Gate items for the agencies' evidence behind these flags (provider and category)."""
    return _evidence_items(flags, agencies)


def localities(run: NeedsRun) -> list[str]:
    """The localities of the run's families, for the list's area filter (names, not families)."""
    names = FamilyNeedsProfile.objects.filter(run=run).exclude(locality="")
    return sorted(set(names.values_list("locality", flat=True).distinct()))


class NeedCountsRefusedError(Exception):
    """The reader may not see need counts (no aggregate agreement for them); audited."""


def need_counts_by_locality(
    *, user: Reader, request_id: str | None = None
) -> list[tuple[str, str, int]] | None:
    """(locality, outcome, families with a flag for it) from the latest run, for gap analysis.

    Aggregate: released only through the gate's aggregate question (service planning, under
    an approved agreement naming the reader's agency), audited either way, the same rule as
    the targeting report; whoever displays them must suppress small numbers (the gaps page
    shows a count under the threshold as "fewer than N"). None when no needs run has
    finished yet (the page then says needs data is not available, rather than "no gaps").
    Raises NeedCountsRefusedError with the reason when the gate refuses.
    """
    from wraparound.needs.reports import latest_run
    from wraparound.sharing.gate import read_aggregate
    from wraparound.sharing.models import AuditAction

    run = latest_run()
    if run is None:
        return None
    released = read_aggregate(
        user=user,
        purpose=AGGREGATE_PURPOSE,
        description="need counts by locality for the directory's gap analysis",
        action=AuditAction.VIEW,
        request_id=request_id,
    )
    if not released.permitted:
        raise NeedCountsRefusedError(released.reason)
    return _need_counts(run)


def _need_counts(run: NeedsRun) -> list[tuple[str, str, int]]:
    from collections import Counter

    counts: Counter[tuple[str, str]] = Counter()
    rows = FamilyNeedsProfile.objects.filter(run=run).values_list("locality", "outcomes")
    for locality, outcomes in rows.iterator():
        if not locality:  # a family with no known address cannot show a gap anywhere
            continue
        for outcome in outcomes or ():
            counts[(locality, outcome)] += 1
    return sorted((locality, outcome, n) for (locality, outcome), n in counts.items())
