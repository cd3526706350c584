"""Sharing's writes, one module per kind of record, each write an audited action.

- ``agreements``: draft, edit (revision-checked), approve, suspend, expire, new version;
- ``consent``: record consent decisions;
- ``relationships``: add, end and re-purpose relationships; record a safeguarding basis;
- ``break_glass``: request and review emergency access;
- ``delegation``: upload delegation between agencies;
- ``subject_access``: subject access requests, redactions and disclosure.

The names are re-exported here so callers write ``from wraparound.sharing import services``.
"""

from wraparound.sharing.services.agreements import (
    AgreementDraft,
    PartySpec,
    approve_agreement,
    changes_since,
    create_agreement,
    expire_agreement,
    snapshot,
    start_new_version,
    suspend_agreement,
    update_draft,
)
from wraparound.sharing.services.base import SharingError, StaleEditError
from wraparound.sharing.services.break_glass import (
    MAX_BREAK_GLASS_HOURS,
    MIN_BREAK_GLASS_REASON,
    providing_agencies,
    request_break_glass,
    review_break_glass,
)
from wraparound.sharing.services.consent import may_record_consent, record_consent
from wraparound.sharing.services.delegation import (
    active_delegations,
    agencies_uploadable_by,
    delegate_uploads,
    revoke_upload_delegation,
    upload_refusal,
)
from wraparound.sharing.services.relationships import (
    add_relationship,
    change_relationship_purpose,
    end_relationship,
    record_safeguarding_basis,
)
from wraparound.sharing.services.subject_access import (
    disclose_response,
    open_subject_access_request,
    redact_item,
)

__all__ = [
    "MAX_BREAK_GLASS_HOURS",
    "MIN_BREAK_GLASS_REASON",
    "AgreementDraft",
    "PartySpec",
    "SharingError",
    "StaleEditError",
    "active_delegations",
    "add_relationship",
    "agencies_uploadable_by",
    "approve_agreement",
    "change_relationship_purpose",
    "changes_since",
    "create_agreement",
    "delegate_uploads",
    "disclose_response",
    "end_relationship",
    "expire_agreement",
    "may_record_consent",
    "open_subject_access_request",
    "providing_agencies",
    "record_consent",
    "record_safeguarding_basis",
    "redact_item",
    "request_break_glass",
    "review_break_glass",
    "revoke_upload_delegation",
    "snapshot",
    "start_new_version",
    "suspend_agreement",
    "update_draft",
    "upload_refusal",
]
