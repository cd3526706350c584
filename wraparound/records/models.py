"""Agency extracts and the person records and events imported from them (contract C2).

An Extract is one file an agency sent. Its rows become SourceRecords (a person as that
agency holds them, under the agency's own id) and SourceEvents (something dated that the
agency saw, in the shared event vocabulary). A newer extract of the same agency dataset
supersedes the older one; the older one and its rows are kept as history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from wraparound.core.models import Agency


class ExtractStatus(models.TextChoices):
    CURRENT = "current", "Current"
    SUPERSEDED = "superseded", "Superseded by a newer extract"


class Extract(models.Model):
    """One imported file of one agency dataset, with its provenance and row counts."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="extracts")
    dataset_kind = models.SlugField(max_length=64)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.BigIntegerField(default=0)
    file_format = models.CharField(max_length=8)
    encoding = models.CharField(max_length=32, blank=True)
    received_at = models.DateTimeField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="imported_extracts",
    )
    status = models.CharField(
        max_length=16, choices=ExtractStatus.choices, default=ExtractStatus.CURRENT
    )
    superseded_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="supersedes"
    )
    row_count = models.PositiveIntegerField(default=0)
    record_count = models.PositiveIntegerField(default=0)
    event_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    mapping = models.JSONField(default=dict)
    warnings = models.JSONField(default=list)  # [{row, column, value, reason}], capped

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "dataset_kind", "sha256"], name="extract_file_imported_once"
            ),
            models.UniqueConstraint(
                fields=["agency", "dataset_kind"],
                condition=models.Q(status="current"),
                name="one_current_extract_per_dataset",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} ({self.file_name}, {self.received_at:%Y-%m-%d})"

    @property
    def source(self) -> str:
        return f"{self.agency.slug}:{self.dataset_kind}"


class DatasetMapping(models.Model):
    """A column mapping a data analyst confirmed for an agency dataset (overrides the file)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="dataset_mappings")
    dataset_kind = models.SlugField(max_length=64)
    mapping = models.JSONField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    confirmed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "dataset_kind"], name="one_mapping_per_dataset"
            )
        ]

    def __str__(self) -> str:
        return f"mapping for {self.agency.slug}:{self.dataset_kind}"


class SourceRecord(models.Model):
    """A person as one agency dataset recorded them, standardised only lightly at import."""

    extract = models.ForeignKey(Extract, on_delete=models.CASCADE, related_name="records")
    row_number = models.PositiveIntegerField()
    record_key = models.CharField(max_length=200)
    source_id = models.CharField(max_length=100)
    household_ref = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001 - null means 'not given', as contract C2 reads it
    first_name = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001 - null means 'not given', as contract C2 reads it
    middle_names = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001 - null means 'not given', as contract C2 reads it
    surname = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001 - null means 'not given', as contract C2 reads it
    dob = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, null=True, blank=True)  # noqa: DJ001 - null means 'not given', as contract C2 reads it
    postcode = models.CharField(max_length=16, null=True, blank=True)  # noqa: DJ001 - null means 'not given', as contract C2 reads it
    address_line = models.CharField(max_length=300, null=True, blank=True)  # noqa: DJ001 - null means 'not given', as contract C2 reads it
    nhs_number = models.CharField(max_length=16, null=True, blank=True)  # noqa: DJ001 - null means 'not given', as contract C2 reads it
    upn = models.CharField(max_length=16, null=True, blank=True)  # noqa: DJ001 - null means 'not given', as contract C2 reads it
    recorded_at = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["extract", "source_id"], name="record_once_per_extract")
        ]
        indexes = [models.Index(fields=["record_key"], name="records_record_key")]

    def __str__(self) -> str:
        return self.record_key


class SourceEvent(models.Model):
    """Something dated an agency saw, mapped to the shared event vocabulary."""

    extract = models.ForeignKey(Extract, on_delete=models.CASCADE, related_name="events")
    record = models.ForeignKey(
        SourceRecord, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    row_number = models.PositiveIntegerField()
    event_key = models.CharField(max_length=300)
    kind = models.CharField(max_length=64)
    agency_label = models.CharField(max_length=200, blank=True)
    event_date = models.DateField()
    detail = models.CharField(max_length=500, null=True, blank=True)  # noqa: DJ001 - null means 'not given', as contract C2 reads it

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["extract", "event_key"], name="event_once_per_extract")
        ]
        indexes = [models.Index(fields=["kind", "event_date"], name="records_event_kind_date")]

    def __str__(self) -> str:
        return self.event_key
