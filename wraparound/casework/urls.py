from django.urls import path

from wraparound.casework import case_views, list_views, plan_views, views

app_name = "casework"

F = "<str:family_public_id>/"

urlpatterns = [
    path("", views.my_families, name="my-families"),
    path("tasks/", list_views.my_tasks, name="my-tasks"),
    path("caseload/", list_views.caseload, name="caseload"),
    path("caseload/handover/", list_views.handover, name="handover"),
    path("triage/", list_views.triage, name="triage"),
    path("search/", list_views.search, name="search"),
    path(F, views.family_detail, name="family"),
    path(F + "summary/", list_views.family_summary, name="family-summary"),
    path(F + "open/", case_views.case_open, name="case-open"),
    path(F + "close/", case_views.case_close, name="case-close"),
    path(F + "reopen/", case_views.case_reopen, name="case-reopen"),
    path(F + "team/add/", case_views.team_add, name="team-add"),
    path(F + "team/<int:member_id>/leave/", case_views.team_leave, name="team-leave"),
    path(F + "lead/", case_views.lead_change, name="lead-change"),
    path(F + "notes/new/", case_views.note_new, name="note-new"),
    path(F + "notes/<int:note_id>/amend/", case_views.note_amend, name="note-amend"),
    path(F + "transfer/", case_views.transfer_new, name="transfer-new"),
    path(F + "transfer/<int:transfer_id>/", case_views.transfer_respond, name="transfer-respond"),
    path(
        F + "transfer/<int:transfer_id>/withdraw/",
        case_views.transfer_withdraw,
        name="transfer-withdraw",
    ),
    path(F + "assessment/", plan_views.assessment_edit, name="assessment"),
    path(F + "assessment/start/", plan_views.assessment_start, name="assessment-start"),
    path(F + "assessment/complete/", plan_views.assessment_complete, name="assessment-complete"),
    path(F + "assessment/sign-off/", plan_views.assessment_sign_off, name="assessment-sign-off"),
    path(F + "plan/", plan_views.plan_detail, name="plan"),
    path(F + "plan/actions/new/", plan_views.action_new, name="action-new"),
    path(F + "plan/actions/<int:action_id>/", plan_views.action_edit, name="action-edit"),
    path(F + "plan/reviews/new/", plan_views.review_new, name="review-new"),
]
