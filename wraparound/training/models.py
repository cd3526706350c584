"""Joint training: events on a topic, and which agencies' staff attended each one.

Training together is how partners learn each other's thresholds and language; the point of
recording it is to see which agencies have never been in the same room on a topic.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from wraparound.core.models import Agency
from wraparound.training.topics import topic_choices


class TrainingEvent(models.Model):
    title = models.CharField(max_length=200)
    topic = models.CharField(max_length=64, choices=topic_choices)
    starts_on = models.DateField()
    locality = models.CharField(max_length=100, blank=True)
    delivered_by = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="training_delivered"
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["-starts_on", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_on:%d %b %Y})"


class Attendance(models.Model):
    """One person at one event, recorded against their agency."""

    event = models.ForeignKey(TrainingEvent, on_delete=models.CASCADE, related_name="attendances")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="training_attended")
    attendee_name = models.CharField(max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["agency__name", "attendee_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "agency", "attendee_name"], name="attend_an_event_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attendee_name} ({self.agency}) at {self.event}"
