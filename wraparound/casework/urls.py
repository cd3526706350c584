from django.urls import path

from wraparound.casework import views

app_name = "casework"

urlpatterns = [
    path("", views.my_families, name="my-families"),
    path("<str:family_public_id>/", views.family_detail, name="family"),
]
