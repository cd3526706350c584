from django.urls import path

from wraparound.needs import views

app_name = "needs"

urlpatterns = [
    path("targeting/", views.targeting, name="targeting"),
    path("targeting/export.<str:fmt>", views.targeting_export, name="targeting-export"),
    path("at-risk/", views.at_risk_not_supported, name="at-risk"),
    path("indicators/", views.indicators, name="indicators"),
]
