from django.urls import path

from wraparound.matching import views

app_name = "matching"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("pairs/<int:pk>/", views.pair, name="pair"),
    path("people/<str:public_id>/", views.person, name="person"),
    path("people/<str:public_id>/merge/", views.merge, name="merge"),
    path("people/<str:public_id>/split/", views.split, name="split"),
    path("history/", views.history, name="history"),
    path("link/", views.link_now, name="link-now"),
]
