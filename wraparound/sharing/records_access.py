"""Who sees the cell values in an extract's row warnings: a sharing rule, so it lives here.

A warning's value is a cell of an agency's extract (a name, a date of birth): personal data
no agreement shares with other agencies' analysts. The agency's own analysts, and the
analyst who uploaded the file (who held it already), see the values; others see the row,
column and reason, enough to judge the extract's quality. Showing values is audited.
"""

from __future__ import annotations

from typing import Any

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
    if may_see_extract_values(user, extract):
        if warnings:
            audit.record_access(
                user=user,
                action=AuditAction.VIEW,
                outcome=AuditOutcome.PERMIT,
                purpose=PURPOSE,
                categories=[
                    {"provider": extract.agency.slug, "category": "identity", "outcome": "permit"}
                ],
                reason=f"Row warnings with cell values of {extract.source} (extract {extract.pk})",
                request_id=request_id,
            )
        return warnings
    return [{**issue, "value": None, "withheld": True} for issue in warnings]
