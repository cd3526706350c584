"""Reads for the sharing pages: agreements, alerts, review queue, audit search and reports.

Governance data only. Personal data from agencies is read through ``gate`` instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from wraparound.core.models import Role
from wraparound.sharing import audit, gate
from wraparound.sharing.models import (
    Alert,
    AuditAction,
    AuditEntry,
    AuditOutcome,
    BreakGlassGrant,
    ConsentRecord,
    SharingAgreement,
)
from wraparound.sharing.readers import Reader


def agreements() -> QuerySet[SharingAgreement]:
    return SharingAgreement.objects.prefetch_related("parties__agency").order_by("reference")


def agreement_detail(pk: int) -> SharingAgreement:
    return SharingAgreement.objects.prefetch_related(
        "parties__agency", "parties__approved_by", "shared_categories__providing_agency", "versions"
    ).get(pk=pk)


def alerts_for(user: Any) -> QuerySet[Alert]:
    return Alert.objects.filter(agency_id=user.agency_id).select_related("break_glass")


def review_queue(user: Any) -> QuerySet[BreakGlassGrant]:
    """Emergency accesses that touched the IG officer's agency and await review."""
    return (
        BreakGlassGrant.objects.filter(alerted_agencies=user.agency_id, review_outcome="")
        .select_related("user__agency")
        .order_by("granted_at")
    )


def consents_visible_to(
    user: Reader, family_public_id: str = "", request_id: str | None = None
) -> QuerySet[ConsentRecord]:
    """IG officers see every consent record; practitioners those of families they work with.

    Which families a practitioner works with is the audited list question for case
    management, the narrowest casework purpose, which every relationship serves. An IG
    officer's listing is audited too.
    """
    records = ConsentRecord.objects.select_related("recorded_by", "agreement")
    if user.role != Role.IG_OFFICER:
        families = gate.list_families(user=user, purpose="case_management", request_id=request_id)
        records = records.filter(family_public_id__in=families)
    else:
        audit.record_access(
            user=user,
            action=AuditAction.SEARCH,
            outcome=AuditOutcome.PERMIT,
            family_public_id=family_public_id,
            reason="Consent records listed for an IG officer",
            request_id=request_id,
        )
    if family_public_id:
        records = records.filter(family_public_id=family_public_id)
    return records


def audit_search(filters: dict[str, Any]) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.all().order_by("-sequence")
    if filters.get("person"):
        entries = entries.filter(person_public_id=filters["person"].strip())
    if filters.get("family"):
        entries = entries.filter(family_public_id=filters["family"].strip())
    if filters.get("user"):
        entries = entries.filter(actor_username=filters["user"].strip())
    for name, column in (("agency", "actor_agency"), ("outcome", "outcome"), ("action", "action")):
        if filters.get(name):
            entries = entries.filter(**{column: filters[name]})
    tz = timezone.get_current_timezone()
    if filters.get("date_from"):
        start = dt.datetime.combine(filters["date_from"], dt.time.min, tzinfo=tz)
        entries = entries.filter(occurred_at__gte=start)
    if filters.get("date_to"):
        end = dt.datetime.combine(filters["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        entries = entries.filter(occurred_at__lt=end)
    return entries


def denied_report(days: int = 90) -> dict[str, Any]:
    since = timezone.now() - dt.timedelta(days=days)
    denied = AuditEntry.objects.filter(
        outcome__in=[AuditOutcome.DENY, AuditOutcome.PARTIAL], occurred_at__gte=since
    )
    return {
        "days": days,
        "total": denied.count(),
        "by_user": denied.values("actor_username", "actor_agency")
        .annotate(count=Count("id"))
        .order_by("-count")[:20],
        "by_purpose": denied.values("purpose").annotate(count=Count("id")).order_by("-count"),
        "latest": denied.order_by("-sequence")[:50],
    }


def break_glass_report(days: int = 90) -> dict[str, Any]:
    since = timezone.now() - dt.timedelta(days=days)
    grants = BreakGlassGrant.objects.filter(granted_at__gte=since).select_related(
        "user__agency", "reviewed_by"
    )
    return {
        "days": days,
        "grants": grants,
        "awaiting": grants.filter(review_outcome="").count(),
        "referred": grants.filter(review_outcome="referred").count(),
        "by_agency": grants.values("user__agency__name")
        .annotate(count=Count("id"), unreviewed=Count("id", filter=Q(review_outcome="")))
        .order_by("-count"),
    }
