from django.urls import path

from wraparound.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("", views.home, name="home"),
    path("family/<str:family_public_id>/", views.family, name="family"),
    path("baseline/new/", views.fix_baseline, name="fix-baseline"),
    path("baseline/<int:pk>/review/", views.review, name="review"),
    path("baseline/<int:pk>/end-support/", views.end_support, name="end-support"),
    path("baseline/<int:pk>/claim/", views.make_claim, name="make-claim"),
    path("baseline/<int:pk>/equivalent/", views.equivalent_progress, name="equivalent-progress"),
    path("claims/", views.claims, name="claims"),
    path("claims/<slug:action>/", views.claim_action, name="claim-action"),
    path("audit/<int:pk>/", views.audit_sample, name="audit"),
    path("return/<str:period>.csv", views.quarterly_return, name="return"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard.<str:fmt>", views.dashboard_export, name="dashboard-export"),
]
