from django.urls import path

from wraparound.records import views

app_name = "records"

urlpatterns = [
    path("", views.history, name="history"),
    path("upload/", views.upload, name="upload"),
    path("upload/<str:token>/", views.confirm, name="confirm"),
    path("extracts/<int:pk>/", views.extract_detail, name="extract"),
]
