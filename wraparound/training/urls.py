"""Joint-training pages, mounted at /training/."""

from django.urls import path

from wraparound.training import views

app_name = "training"

urlpatterns = [
    path("", views.event_list, name="events"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("not-trained-together/", views.not_together, name="not-together"),
]
