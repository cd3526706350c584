from django.urls import path

from wraparound.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.my_referrals, name="mine"),
    path("front-door/", views.front_door, name="front-door"),
    path("new/", views.new_referral, name="new"),
    path("new/check/", views.check_answers, name="check"),
    path("<str:reference>/", views.referral_detail, name="detail"),
    path("<str:reference>/<slug:action>/", views.act, name="act"),
]
