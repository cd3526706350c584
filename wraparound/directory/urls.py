"""Directory pages, mounted at /directory/."""

from django.urls import path

from wraparound.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.search, name="search"),
    path("services/<uuid:service_id>/", views.service_detail, name="service"),
    path("map/", views.partnership_map, name="map"),
    path("overlaps/", views.overlaps, name="overlaps"),
    path("gaps/", views.gaps, name="gaps"),
    path("feed/", views.feed, name="feed"),
    path("feed/export/", views.feed_export, name="feed-export"),
]
