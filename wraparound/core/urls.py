from django.urls import path

from wraparound.core.views import auth, home, jobs, users

app_name = "core"

urlpatterns = [
    path("", home.start, name="start"),
    path("home/", home.home, name="home"),
    path("sign-in/", auth.SignInView.as_view(), name="sign-in"),
    path("sign-out/", auth.SignOutView.as_view(), name="sign-out"),
    path("signed-out/", auth.signed_out, name="signed-out"),
    path("users/", users.user_list, name="users"),
    path("accessibility/", home.accessibility, name="accessibility"),
    path("jobs/<uuid:public_id>/", jobs.job_page, name="job"),
]
