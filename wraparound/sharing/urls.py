"""Pages of the sharing capability, mounted at /sharing/."""

from django.urls import path

from wraparound.sharing.views import agreement_editor, agreements, governance, practice

app_name = "sharing"

urlpatterns = [
    path("agreements/", agreements.agreement_list, name="agreements"),
    path("agreements/new/", agreement_editor.task_list, name="agreement-new"),
    path("agreements/new/check/", agreement_editor.check_page, name="agreement-new-check"),
    path("agreements/new/<slug:task>/", agreement_editor.task_page, name="agreement-new-task"),
    path("agreements/<int:pk>/", agreements.agreement_detail, name="agreement"),
    path("agreements/<int:pk>/text/", agreements.agreement_text, name="agreement-text"),
    path("agreements/<int:pk>/edit/", agreement_editor.task_list, name="agreement-edit"),
    path(
        "agreements/<int:pk>/edit/check/", agreement_editor.check_page, name="agreement-edit-check"
    ),
    path(
        "agreements/<int:pk>/edit/<slug:task>/",
        agreement_editor.task_page,
        name="agreement-edit-task",
    ),
    path("agreements/<int:pk>/approve/", agreements.agreement_approve, name="agreement-approve"),
    path("agreements/<int:pk>/suspend/", agreements.agreement_suspend, name="agreement-suspend"),
    path(
        "agreements/<int:pk>/new-version/",
        agreements.agreement_new_version,
        name="agreement-new-version",
    ),
    path("consent/", practice.consent_list, name="consents"),
    path("consent/new/", practice.consent_create, name="consent-new"),
    path("emergency-access/", practice.break_glass_create, name="break-glass-new"),
    path("governance/", governance.governance_home, name="governance"),
    path("governance/emergency-access/", governance.break_glass_queue, name="break-glass-queue"),
    path(
        "governance/emergency-access/<int:pk>/",
        governance.break_glass_review,
        name="break-glass-review",
    ),
    path("governance/audit/", governance.audit_log, name="audit-log"),
    path(
        "governance/upload-delegations/",
        governance.upload_delegations,
        name="upload-delegations",
    ),
    path("governance/reports/denied/", governance.denied_report, name="report-denied"),
    path(
        "governance/reports/emergency-access/",
        governance.break_glass_report,
        name="report-break-glass",
    ),
    path("governance/subject-access/", governance.subject_access, name="subject-access"),
    path(
        "governance/subject-access/open/",
        governance.subject_access_open,
        name="subject-access-open",
    ),
    path(
        "governance/subject-access/<int:pk>/",
        governance.subject_access_request,
        name="subject-access-request",
    ),
    path(
        "governance/subject-access/<int:pk>/response/",
        governance.subject_access_response,
        name="subject-access-response",
    ),
]
