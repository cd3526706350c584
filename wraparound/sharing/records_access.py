"""Who sees the cell values in an extract's row warnings: a sharing rule, so it lives here.

A warning's value is a cell of an agency's extract (a name, a date of birth): personal data
no agreement shares with other agencies' analysts. The agency's own analysts, and the
analyst who uploaded the file (who held it already), see the values; others see the row,
column and reason, enough to judge the extract's quality. Every view of warnings is audited.
"""

from __future__ import annotations

from typing import Any

from wraparound.core.labels import humanise
from wraparound.records.models import Extract
from wraparound.sharing import audit
from wraparound.sharing.models import AuditAction, AuditOutcome
from wraparound.sharing.readers import Reader

PURPOSE = "linkage_review"  # data quality work on the partnership's records


def may_see_extract_values(user: Reader, extract: Extract) -> bool:
    return bool(user.agency_id) and (
        user.agency_id == extract.agency_id or user.pk == extract.imported_by_id
    )


def extract_warnings(
    *, user: Reader, extract: Extract, request_id: str | None = None
) -> list[dict[str, Any]]:
    """The extract's row warnings, values masked unless ``user`` may see them; audited."""
    warnings = list(extract.warnings)
    if not warnings:
        return warnings
    shown = may_see_extract_values(user, extract)
    audit.record_access(
        user=user,
        action=AuditAction.VIEW,
        outcome=AuditOutcome.PERMIT if shown else AuditOutcome.PARTIAL,
        purpose=PURPOSE,
        categories=[
            {
                "provider": extract.agency.slug,
                "category": "identity",
                "outcome": "permit" if shown else "deny",
            }
        ],
        reason=f"Row warnings of {extract.agency.name}: {humanise(extract.dataset_kind).lower()} "
        f"(extract {extract.pk}): cell values "
        + ("shown" if shown else "withheld, another agency's data"),
        request_id=request_id,
    )
    if shown:
        return warnings
    return [{**issue, "value": None, "withheld": True} for issue in warnings]
