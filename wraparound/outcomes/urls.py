from django.urls import path

from wraparound.outcomes import audit_views, views

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
    path("claims/validate/", views.validate_claim, name="validate-claim"),
    path("claims/submit/", views.submit_return, name="submit-return"),
    path("claims/submit/check/", views.check_return, name="check-return"),
    path("audit/", audit_views.audit_home, name="audit-home"),
    path("audit/sample/", audit_views.draw_sample, name="draw-sample"),
    path("audit/<int:pk>/", audit_views.audit_sample, name="audit"),
    path("audit/<int:pk>/check/", audit_views.audit_check, name="audit-check"),
    path("return/<str:period>.csv", views.quarterly_return, name="return"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard.<str:fmt>", views.dashboard_export, name="dashboard-export"),
]
