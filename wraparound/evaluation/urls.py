from django.urls import path

from wraparound.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.plan_list, name="plans"),
    path("plans/new/", views.plan_new, name="plan-new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/lock/", views.plan_lock, name="plan-lock"),
    path("plans/<int:pk>/export.<str:fmt>", views.plan_export, name="plan-export"),
]
