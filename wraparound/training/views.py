"""Joint-training pages: events by topic, an event's agency mix, who has not trained together."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from wraparound.core.access import ALL_ROLES, role_required
from wraparound.core.models import Role
from wraparound.training import selectors
from wraparound.training.models import TrainingEvent
from wraparound.training.topics import load_topics, topic_choices, topic_name

R = Role
TOGETHER_ROLES = frozenset({R.TEAM_MANAGER, R.DATA_ANALYST, R.ADMINISTRATOR})


class TopicForm(forms.Form):
    topic = forms.ChoiceField(label="Topic", required=False, choices=())

    def __init__(self, *args: object, blank: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = topic_choices()
        self.fields["topic"].choices = ([("", "All topics")] if blank else []) + choices  # type: ignore[attr-defined]

    def chosen_topic(self) -> str | None:
        return (self.cleaned_data.get("topic") or None) if self.is_valid() else None


@role_required(*ALL_ROLES)
def event_list(request: HttpRequest) -> HttpResponse:
    form = TopicForm(request.GET or {})
    topic = form.chosen_topic()
    return render(
        request,
        "training/events.html",
        {
            "form": form,
            "events": selectors.events(topic=topic),
            "topic_names": dict(topic_choices()),
        },
    )


@role_required(*ALL_ROLES)
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(TrainingEvent.objects.select_related("delivered_by"), pk=pk)
    return render(
        request,
        "training/event.html",
        {"event": event, "topic": topic_name(event.topic), "mix": selectors.event_mix(event)},
    )


@role_required(*TOGETHER_ROLES)
def not_together(request: HttpRequest) -> HttpResponse:
    form = TopicForm(request.GET or {}, blank=False)
    topic = form.chosen_topic() or load_topics()[0].slug
    return render(
        request,
        "training/together.html",
        {"form": form, "topic": topic_name(topic), "grid": selectors.together_grid(topic)},
    )
