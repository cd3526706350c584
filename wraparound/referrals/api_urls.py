from django.urls import path

from wraparound.referrals import api

app_name = "referrals-api"

urlpatterns = [
    path("", api.referrals, name="referrals"),
    path("openapi.json", api.openapi, name="openapi"),
    path("<str:reference>/", api.referral, name="referral"),
    path("<str:reference>/transitions/", api.transition, name="transition"),
]
