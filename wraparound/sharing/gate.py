"""The gate selectors read personal data through: decide and audit in one call.

A selector hands the gate the items it would show (anything with ``agency_id`` and
``category``, or a key function); the gate asks the policy, keeps only the permitted items,
says what was withheld and why, and appends every decision (permit and deny) to the audit
chain in the same transaction. There is no way to get the items back without the audit entry.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, NamedTuple, TypeVar

from django.utils import timezone

from wraparound.sharing import audit
from wraparound.sharing.catalogues import catalogues, category_label, purpose_label
from wraparound.sharing.models import AgreementStatus, AuditAction, AuditOutcome, SharingAgreement
from wraparound.sharing.policy import Decision, PolicyError, decide, visible_families
from wraparound.sharing.readers import Reader, agency_name

T = TypeVar("T")
ItemKey = Callable[[Any], tuple[int, str]]


class FamilyNotVisibleError(Exception):
    """The user may not open this family's record; the message says why (and it was audited)."""


class Withheld(NamedTuple):
    """Something not shown, and why: the page must say so rather than hide it silently."""

    provider: str
    category: str
    reason: str

    @property
    def category_label(self) -> str:
        return category_label(self.category)


@dataclass
class FilteredRead(Generic[T]):
    visible_items: list[T]
    withheld: list[Withheld]
    decision: Decision
    withheld_counts: Counter[tuple[str, str]] = field(default_factory=Counter)


def _default_key(item: Any) -> tuple[int, str]:
    return int(item.agency_id), str(item.category)


def audit_decision(
    *,
    user: Reader,
    decision: Decision,
    action: str,
    request_id: str | None = None,
    now: dt.datetime | None = None,
    note: str = "",
) -> None:
    """Append the decision to the chain as one entry: each category with its own outcome.

    The entry's outcome is *deny* without need to know, *partial* when some categories were
    withheld, else *permit*; the denied-access report lists deny and partial entries.
    """
    permitted, denied = decision.permitted, decision.denied
    if not decision.has_need_to_know:
        outcome = AuditOutcome.DENY
        reasons = list(dict.fromkeys(i.reason for i in denied)) or [decision.need_to_know_reason]
        reason = " ".join(reasons)
    else:
        outcome = AuditOutcome.PARTIAL if denied else AuditOutcome.PERMIT
        withheld = list(dict.fromkeys(i.reason for i in denied))
        reason = decision.need_to_know_reason + (
            ". Withheld: " + " ".join(withheld) if withheld else ""
        )
    if note:
        reason = f"{note}. {reason}"
    items = [*permitted, *denied]
    audit.append(
        [
            audit.access_fields(
                user=user,
                action=action,
                outcome=outcome,
                purpose=decision.purpose,
                family_public_id=decision.family_public_id,
                person_public_id=decision.person_public_id,
                categories=[i.as_audit() for i in items],
                agreements=sorted({i.agreement for i in items if i.agreement}),
                consent_ref=next((i.consent_ref for i in items if i.consent_ref), ""),
                no_consent_reason=next(
                    (i.no_consent_reason for i in permitted if i.no_consent_reason), ""
                ),
                relationship=decision.need_to_know,
                break_glass_id=decision.break_glass_id,
                reason=reason,
                request_id=request_id,
                now=now,
            )
        ]
    )


def read(
    *,
    user: Reader,
    family_public_id: str,
    purpose: str,
    items: Iterable[T],
    person_public_id: str | None = None,
    request_id: str | None = None,
    action: str = AuditAction.VIEW,
    key: ItemKey | None = None,
    now: dt.datetime | None = None,
    note: str = "",
) -> FilteredRead[T]:
    """Return only the items ``user`` may see for ``purpose``, having audited the decision.

    ``note`` says what was read in the audit entry's reason (e.g. "pair 12: P-A and P-B"), so
    subject access finds every person a read concerned.
    """
    key = key or _default_key
    materialised = list(items)
    keys = [key(item) for item in materialised]
    decision = decide(
        user=user,
        family_public_id=family_public_id,
        person_public_id=person_public_id,
        categories=list(dict.fromkeys(keys)),
        purpose=purpose,
        now=now,
    )
    audit_decision(
        user=user, decision=decision, action=action, request_id=request_id, now=now, note=note
    )
    allowed = {(i.provider_id, i.category) for i in decision.permitted}
    visible = [item for item, k in zip(materialised, keys, strict=True) if k in allowed]
    names = {(d.provider_id, d.category): d.provider_name for d in decision.denied}
    counts: Counter[tuple[str, str]] = Counter(
        (names[k], k[1]) for k in keys if k not in allowed and k in names
    )
    withheld = [Withheld(d.provider_name, d.category, d.reason) for d in decision.denied]
    return FilteredRead(visible, withheld, decision, counts)


def open_family(
    *,
    user: Reader,
    family_public_id: str,
    purpose: str,
    request_id: str | None = None,
    now: dt.datetime | None = None,
) -> Decision:
    """Access helper for a family page: audited need-to-know check, raising when refused."""
    decision = decide(
        user=user, family_public_id=family_public_id, categories=[], purpose=purpose, now=now
    )
    audit_decision(
        user=user, decision=decision, action=AuditAction.VIEW, request_id=request_id, now=now
    )
    if not decision.has_need_to_know:
        raise FamilyNotVisibleError(decision.need_to_know_reason)
    return decision


@dataclass(frozen=True)
class AggregateDecision:
    permitted: bool
    reason: str
    agreement: str = ""
    # The agreement permitting the use: its operational suppression decides who sees what.
    agreement_id: int | None = None


def read_aggregate(
    *,
    user: Reader,
    purpose: str,
    description: str,
    categories: Iterable[str] = (),
    request_id: str | None = None,
    action: str = AuditAction.EXPORT,
    now: dt.datetime | None = None,
) -> AggregateDecision:
    """May ``user`` produce aggregate figures for ``purpose``? Audited either way.

    Needs an aggregate purpose and an approved, in-date agreement listing it with the user's
    agency as a party. No family is named, so no relationship is needed.
    """
    entry = catalogues().purposes.get(purpose)
    if entry is None:
        raise PolicyError(f"Unknown purpose {purpose!r}.")
    now = now or timezone.now()
    today = timezone.localdate(now)
    agreement = None
    if not entry.aggregate:
        result = AggregateDecision(False, f"{entry.label} is not an aggregate purpose.")
    elif not getattr(user, "agency_id", None):
        result = AggregateDecision(False, "You do not belong to a partner agency.")
    else:
        candidates = (
            SharingAgreement.objects.filter(
                parties__agency_id=user.agency_id or 0, status=AgreementStatus.APPROVED
            )
            .prefetch_related("parties")
            .distinct()
        )
        agreement = next(
            (
                a
                for a in candidates
                if purpose in (a.purposes or [])
                and a.in_date(today)
                and all(p.approved_version == a.version for p in a.parties.all())
            ),
            None,
        )
        if agreement is None:
            result = AggregateDecision(
                False,
                f"No approved agreement lets {agency_name(user)} use data for "
                f"{purpose_label(purpose).lower()}.",
            )
        else:
            ref = f"{agreement.reference} v{agreement.version}"
            result = AggregateDecision(
                True, f"Aggregate use under {ref}: {description}", ref, agreement.pk
            )
    audit.record_access(
        user=user,
        action=action,
        outcome=AuditOutcome.PERMIT if result.permitted else AuditOutcome.DENY,
        purpose=purpose,
        categories=[{"provider": "*", "category": c, "outcome": "aggregate"} for c in categories],
        agreements=[result.agreement] if result.agreement else [],
        reason=result.reason if result.permitted else f"{description}: {result.reason}",
        request_id=request_id,
        now=now,
    )
    return result


def list_families(
    *,
    user: Reader,
    purpose: str,
    request_id: str | None = None,
    action: str = AuditAction.SEARCH,
    now: dt.datetime | None = None,
) -> set[str]:
    """The families a list page may offer ``user`` for ``purpose``, with the listing audited.

    The same answer as ``policy.visible_families``, so a list never offers a family its page
    would refuse; the audit entry records how many were listed, not who.
    """
    families = visible_families(user, purpose, now=now)
    audit.record_access(
        user=user,
        action=action,
        outcome=AuditOutcome.PERMIT if families else AuditOutcome.DENY,
        purpose=purpose,
        reason=f"Listed {len(families)} famil{'y' if len(families) == 1 else 'ies'} the user may open",
        request_id=request_id,
        now=now,
    )
    return families
