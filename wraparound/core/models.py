"""The partnership's agencies and the people who work for them.

Every user belongs to exactly one agency and holds one role: what a person may see and do
is decided by their agency (whose data, under which sharing agreement) and their role.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models


class AgencyKind(models.TextChoices):
    SOCIAL_CARE = "social_care", "Children's social care"
    EARLY_HELP = "early_help", "Early help"
    HEALTH = "health", "Health"
    POLICE = "police", "Police"
    EDUCATION = "education", "Education"
    HOUSING = "housing", "Housing"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    VOLUNTARY = "voluntary", "Voluntary and community sector"


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    TEAM_MANAGER = "team_manager", "Team manager"
    DATA_ANALYST = "data_analyst", "Data analyst"
    IG_OFFICER = "ig_officer", "Information governance officer"
    ADMINISTRATOR = "administrator", "Administrator"
    # Checks outcome claims against their evidence; makes and validates none (outcomes app).
    AUDITOR = "auditor", "Internal auditor"


class Agency(models.Model):
    """A partner organisation: a statutory service or a voluntary group."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=AgencyKind.choices)
    is_statutory = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in: one agency, one role."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="staff", null=True, blank=True
    )
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.PRACTITIONER)
    job_title = models.CharField(max_length=200, blank=True)

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_superuser=True) | models.Q(agency__isnull=False),
                name="user_belongs_to_an_agency_unless_superuser",
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_label(self) -> str:
        return Role(self.role).label


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Finished"
    FAILED = "failed", "Failed"


class Job(models.Model):
    """A piece of long work (an import, a linkage run) done by the worker, off the request path.

    The task queue (django-tasks) runs it; this row is what the person who asked reads on the
    job's page: how far it has got, then where to find the result or why it failed.
    """

    public_id = models.UUIDField(unique=True, editable=False)
    kind = models.CharField(max_length=64)
    label = models.CharField(max_length=200)
    params = models.JSONField(default=dict)
    requested_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs"
    )
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(null=True, blank=True)
    message = models.CharField(max_length=500, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_status_display()})"
