"""Break-glass: emergency access with a written reason, a time limit, alerts and a review."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.utils import timezone

from wraparound.core.labels import label
from wraparound.core.models import Agency, Role, User
from wraparound.core.plain_words import listed
from wraparound.sharing import audit
from wraparound.sharing.catalogues import catalogues
from wraparound.sharing.models import (
    Alert,
    AuditAction,
    AuditOutcome,
    BreakGlassGrant,
    BreakGlassOutcome,
    SharedCategory,
)
from wraparound.sharing.readers import agency_name
from wraparound.sharing.services.base import SharingError, action, audit_change, require_ig_officer

MIN_BREAK_GLASS_REASON = 20
MAX_BREAK_GLASS_HOURS = 72


def providing_agencies(user: User, categories: Iterable[str]) -> list[Agency]:
    """Agencies whose data a break-glass grant over ``categories`` would open to ``user``.

    Those sharing the categories with the user's agency under any agreement, plus agencies
    whose kind provides the (non-identity) category by default.
    """
    wanted = set(categories)
    shared = SharedCategory.objects.filter(
        category__in=wanted, agreement__parties__agency_id=user.agency_id or 0
    ).values_list("providing_agency_id", flat=True)
    kinds = [
        kind
        for kind, codes in catalogues().provided_by_kind.items()
        if wanted & (set(codes) - {"identity", "contact"})
    ]
    return list(Agency.objects.filter(pk__in=list(shared)) | Agency.objects.filter(kind__in=kinds))


@action
def request_break_glass(
    *,
    user: User,
    family_public_id: str,
    reason: str,
    categories: Sequence[str],
    hours: int = 4,
    request_id: str = "",
) -> BreakGlassGrant:
    """Emergency access: logged, time-limited, and alerted to the providing agencies' IG officers."""
    if getattr(user, "role", None) not in {Role.PRACTITIONER, Role.TEAM_MANAGER}:
        raise SharingError("Only practitioners and team managers can use emergency access.")
    if len(reason.strip()) < MIN_BREAK_GLASS_REASON:
        raise SharingError(
            f"Explain the emergency in at least {MIN_BREAK_GLASS_REASON} characters: "
            "who is at risk and why you cannot wait."
        )
    unknown = [c for c in categories if c not in catalogues().categories]
    if not categories or unknown:
        raise SharingError(
            "Choose the categories of data you need"
            + (f" (unknown: {unknown})" if unknown else "")
            + "."
        )
    if not 1 <= hours <= MAX_BREAK_GLASS_HOURS:
        raise SharingError(f"Emergency access lasts between 1 and {MAX_BREAK_GLASS_HOURS} hours.")
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        user=user,
        family_public_id=family_public_id.strip(),
        reason=reason.strip(),
        categories=list(categories),
        granted_at=now,
        expires_at=now + dt.timedelta(hours=hours),
    )
    agencies = {a.pk: a for a in providing_agencies(user, categories)}
    if user.agency is not None and user.agency_id is not None:
        agencies[user.agency_id] = user.agency  # the user's own IG officer reviews too
    grant.alerted_agencies.set(list(agencies.values()))
    message = (
        f"{user.get_full_name() or user.username} ({agency_name(user)}) used emergency access to "
        f"family {grant.family_public_id} for {_in_words(categories)} data until "
        f"{timezone.localtime(grant.expires_at):%-d %B %Y %H:%M}. Reason: {grant.reason}"
    )
    Alert.objects.bulk_create(
        [Alert(agency=a, message=message, break_glass=grant) for a in agencies.values()]
    )
    audit.record_access(
        user=user,
        action=AuditAction.AMEND,
        outcome=AuditOutcome.PERMIT,
        family_public_id=grant.family_public_id,
        relationship="break_glass",
        break_glass_id=grant.pk,
        reason=f"Emergency access granted: {grant.reason}",
        categories=[{"provider": "*", "category": c, "outcome": "permit"} for c in categories],
        request_id=request_id,
    )
    return grant


def _in_words(categories: Sequence[str]) -> str:
    """``["health", "social_care"]`` -> ``Health and Children's social care``: catalogue labels."""
    return listed([label(code, "category") for code in categories])


@action
def review_break_glass(
    *, by: User, grant: BreakGlassGrant, outcome: str, notes: str = "", request_id: str = ""
) -> BreakGlassGrant:
    """An IG officer of an alerted agency records whether the emergency access was justified."""
    require_ig_officer(by)
    grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
    if not grant.alerted_agencies.filter(pk=by.agency_id or 0).exists():
        raise SharingError("This emergency access did not touch your agency's data.")
    if grant.review_outcome:
        raise SharingError("This emergency access has already been reviewed.")
    if outcome not in BreakGlassOutcome.values:
        raise SharingError("Choose justified or referred.")
    if outcome == BreakGlassOutcome.REFERRED and not notes.strip():
        raise SharingError("Say why the use is referred.")
    grant.reviewed_by, grant.reviewed_at = by, timezone.now()
    grant.review_outcome, grant.review_notes = outcome, notes.strip()
    grant.save()
    Alert.objects.filter(break_glass=grant, acknowledged_at__isnull=True).update(
        acknowledged_by=by, acknowledged_at=grant.reviewed_at
    )
    audit_change(
        by,
        f"Reviewed emergency access #{grant.pk}: {grant.get_review_outcome_display()}",
        family_public_id=grant.family_public_id,
        break_glass_id=grant.pk,
        request_id=request_id,
    )
    return grant
