"""The assessment and the family plan, where the family is: thin views over ``plan_services``.

Pages that show the assessment or the plan read them through the family page's gate call
(``build_family_page``), so what is shown is what the policy permits, audited once.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from wraparound.casework import forms, plan_services
from wraparound.casework import workspace as workspace_module
from wraparound.casework.case_views import (
    CASEWORKERS,
    case_or_refuse,
    form_page,
    post_action,
    purpose_of,
    rid,
)
from wraparound.casework.family_page import FamilyPage
from wraparound.casework.views import page_or_refuse
from wraparound.core.access import role_required


def _page(request: HttpRequest, family_public_id: str) -> FamilyPage:
    return page_or_refuse(request, family_public_id, purpose_of(request))


@require_POST
@role_required(*CASEWORKERS)
def assessment_start(request: HttpRequest, family_public_id: str) -> HttpResponse:
    case = case_or_refuse(request, family_public_id)
    return post_action(
        request,
        family_public_id,
        lambda: plan_services.start_assessment(by=request.user, case=case, request_id=rid(request)),
        lambda started: f"Assessment started; it is due {started.due_on:%-d %B %Y}.",
    )


@role_required(*CASEWORKERS)
def assessment_edit(request: HttpRequest, family_public_id: str) -> HttpResponse:
    page = _page(request, family_public_id)
    workspace = page.workspace
    assessment = workspace.assessment if workspace else None
    if assessment is None:
        raise Http404("There is no assessment you can see for this family: start one first.")
    initial: dict[str, Any] = {
        "version": assessment.version,
        "child_words": assessment.child_words,
        "parents_words": assessment.parents_words,
        "consent_given_by": assessment.consent_given_by,
    }
    for area in workspace_module.assessment_areas(assessment):
        initial.update(
            {
                f"{area.outcome}__worries": area.worries,
                f"{area.outcome}__working_well": area.working_well,
                f"{area.outcome}__needs_to_happen": area.needs_to_happen,
                f"{area.outcome}__is_need": area.is_need,
            }
        )
    form = forms.AssessmentForm(request.POST or None, initial=initial)

    def run(data: dict[str, Any]) -> str:
        plan_services.save_assessment(
            by=request.user,
            assessment=assessment,
            expected_version=data["version"],
            areas=form.areas(),
            child_words=data["child_words"],
            parents_words=data["parents_words"],
            consent_given_by=data["consent_given_by"],
            request_id=rid(request),
        )
        return "Assessment saved."

    return form_page(
        request,
        family_public_id=family_public_id,
        form=form,
        title="Early help assessment",
        button="Save the draft",
        template="casework/assessment_form.html",
        extra={"assessment": assessment, "page": page},
        run=run,
    )


@role_required(*CASEWORKERS)
def assessment_complete(request: HttpRequest, family_public_id: str) -> HttpResponse:
    page = _page(request, family_public_id)
    assessment = page.workspace.assessment if page.workspace else None
    if assessment is None:
        raise Http404("There is no assessment you can see for this family.")
    form = forms.CompleteAssessmentForm(
        request.POST or None, initial={"version": assessment.version}
    )

    def run(data: dict[str, Any]) -> str:
        plan_services.complete_assessment(
            by=request.user,
            assessment=assessment,
            expected_version=data["version"],
            late_reason=data["late_reason"],
            request_id=rid(request),
        )
        return "Assessment completed: a team manager signs it off next."

    return form_page(
        request,
        family_public_id=family_public_id,
        form=form,
        title="Complete the assessment",
        button="Complete",
        intro=f"Due on {assessment.due_on:%-d %B %Y} (45 working days from {assessment.started_on:%-d %B %Y}).",
        run=run,
    )


@require_POST
@role_required(*CASEWORKERS)
def assessment_sign_off(request: HttpRequest, family_public_id: str) -> HttpResponse:
    page = _page(request, family_public_id)
    assessment = page.workspace.assessment if page.workspace else None
    if assessment is None:
        raise Http404("There is no assessment you can see for this family.")
    return post_action(
        request,
        family_public_id,
        lambda: plan_services.sign_off_assessment(
            by=request.user,
            assessment=assessment,
            expected_version=assessment.version,
            request_id=rid(request),
        ),
        lambda _: "Assessment signed off.",
    )


@role_required(*CASEWORKERS)
def plan_detail(request: HttpRequest, family_public_id: str) -> HttpResponse:
    """The plan with its actions, reviews and every earlier version (printable)."""
    page = _page(request, family_public_id)
    workspace = page.workspace
    if workspace is None or workspace.case is None:
        raise Http404("This family has no case yet.")
    plan = workspace.plan
    versions = workspace_module.plan_versions(plan.plan) if plan else []
    return render(
        request,
        "casework/plan.html",
        {
            "page": page,
            "ws": workspace,
            "plan": plan,
            "versions": versions,
            "purpose": page.purpose,
        },
    )


@role_required(*CASEWORKERS)
def action_new(request: HttpRequest, family_public_id: str) -> HttpResponse:
    case = case_or_refuse(request, family_public_id)
    members = forms.workers().filter(
        taf_memberships__case=case, taf_memberships__left_on__isnull=True
    )
    form = forms.ActionForm(request.POST or None, members=members)

    def run(data: dict[str, Any]) -> str:
        plan_services.add_action(
            by=request.user,
            case=case,
            outcome=data["outcome"],
            description=data["description"],
            owner=data["owner"],
            due_on=data["due_on"],
            request_id=rid(request),
        )
        return "Action added to the family plan."

    return form_page(
        request,
        family_public_id=family_public_id,
        form=form,
        title="Add an action to the plan",
        button="Add the action",
        run=run,
    )


@role_required(*CASEWORKERS)
def action_edit(request: HttpRequest, family_public_id: str, action_id: int) -> HttpResponse:
    page = _page(request, family_public_id)
    plan = page.workspace.plan if page.workspace else None
    action = next((a for a in plan.actions if a.pk == action_id), None) if plan else None
    if action is None:  # the same answer whether it does not exist or is withheld
        raise Http404("There is no such action in a plan you can see.")
    form = forms.ActionUpdateForm(
        request.POST or None,
        initial={
            "version": action.version,
            "status": action.status,
            "progress_note": action.progress_note,
            "due_on": action.due_on,
        },
    )

    def run(data: dict[str, Any]) -> str:
        plan_services.update_action(
            by=request.user,
            action=action,
            expected_version=data["version"],
            status=data["status"],
            progress_note=data["progress_note"],
            due_on=data["due_on"],
            request_id=rid(request),
        )
        return "Action updated."

    return form_page(
        request,
        family_public_id=family_public_id,
        form=form,
        title="Update an action",
        button="Save the update",
        intro=f"{action.description} — owner {action.owner} ({action.owner_agency.name}).",
        run=run,
    )


@role_required(*CASEWORKERS)
def review_new(request: HttpRequest, family_public_id: str) -> HttpResponse:
    case = case_or_refuse(request, family_public_id)
    form = forms.ReviewForm(request.POST or None)

    def run(data: dict[str, Any]) -> str:
        review = plan_services.record_review(
            by=request.user,
            case=case,
            held_on=data["held_on"],
            attendees=data["attendees"],
            decisions=data["decisions"],
            next_review_on=data["next_review_on"],
            request_id=rid(request),
        )
        return f"Review recorded. The next review is on {review.next_review_on:%-d %B %Y}."

    return form_page(
        request,
        family_public_id=family_public_id,
        form=form,
        title="Record a team around the family review",
        button="Record the review",
        run=run,
    )
