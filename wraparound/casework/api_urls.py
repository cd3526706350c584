from django.urls import path

from wraparound.casework import api

app_name = "casework-api"

urlpatterns = [
    path("openapi.json", api.openapi, name="openapi"),
    path("plans/<str:family_public_id>/", api.plan, name="plan"),
    path("plans/<str:family_public_id>/actions/<int:action_id>/", api.action, name="action"),
]
