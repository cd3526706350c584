"""Actions on a family's case, where the family is: thin views over the casework services.

Every view first opens the family through ``workspace.access_case`` (an audited need-to-know
check), then hands the form's data to one service. A CaseworkError becomes a form error; a
stale save renders the conflict page (409) with what changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from wraparound.casework import forms, services, transfers
from wraparound.casework.concurrency import CaseworkError, StaleEditError
from wraparound.casework.models import CaseNote, CaseTransfer, FamilyCase, TeamMember
from wraparound.casework.views import DEFAULT_PURPOSE, INDIVIDUAL_PURPOSES, refusal
from wraparound.casework.workspace import access_case, case_record, read_transfer_pack
from wraparound.core import check_answers as cya
from wraparound.core.access import role_required
from wraparound.core.forms import check_answers
from wraparound.core.models import Role
from wraparound.sharing.gate import FamilyNotVisibleError

CASEWORKERS = (Role.PRACTITIONER, Role.TEAM_MANAGER)


def purpose_of(request: HttpRequest) -> str:
    purpose = request.POST.get("purpose") or request.GET.get("purpose") or DEFAULT_PURPOSE
    return purpose if purpose in INDIVIDUAL_PURPOSES else DEFAULT_PURPOSE


def rid(request: HttpRequest) -> str:
    return str(getattr(request, "request_id", "") or "")


def family_url(family_public_id: str, purpose: str, anchor: str = "") -> str:
    url = reverse("casework:family", kwargs={"family_public_id": family_public_id})
    return f"{url}?purpose={purpose}{'#' + anchor if anchor else ''}"


def open_or_refuse(request: HttpRequest, family_public_id: str) -> FamilyCase | None:
    """The family's case after the audited need-to-know check; 403 with the reason if refused."""
    try:
        return access_case(
            user=request.user,
            family_public_id=family_public_id,
            purpose=purpose_of(request),
            request_id=rid(request),
        )
    except FamilyNotVisibleError as refused:
        raise refusal(family_public_id, refused) from refused


def route_in_or_refuse(request: HttpRequest, family_public_id: str) -> HttpResponse | None:
    """Before showing an opening form: the policy's route in (audited), or the refusal page
    with the reason and the next steps (403). On a POST the service checks it again."""
    if request.method == "POST":
        return None
    try:
        services.allocation_route(
            by=request.user, family_public_id=family_public_id, request_id=rid(request)
        )
    except services.NoRouteInError as refusal:
        context = {"refusal": refusal, "family_public_id": family_public_id}
        return render(request, "casework/no_route.html", context, status=403)
    return None


def case_or_refuse(request: HttpRequest, family_public_id: str) -> FamilyCase:
    case = open_or_refuse(request, family_public_id)
    if case is None:
        raise Http404(f"Family {family_public_id} has no case yet: open one first.")
    return case


def form_page(
    request: HttpRequest,
    *,
    family_public_id: str,
    form: django_forms.Form,
    title: str,
    button: str,
    run: Callable[[dict[str, Any]], str],
    intro: str = "",
    template: str = "casework/action_form.html",
    extra: dict[str, Any] | None = None,
    check: Callable[[django_forms.Form], cya.CheckPage] | None = None,
    back: str = "",
) -> HttpResponse:
    """GET shows the form; a valid POST runs the service and goes back to the family.

    With ``check`` (an action that cannot be undone), a valid POST first shows the GOV.UK
    "Check your answers" page; only its confirm button runs the service. Bind such a form
    to ``answers(request)`` so its Change links reopen it with the answers kept.
    """
    purpose = purpose_of(request)
    back = back or family_url(family_public_id, purpose)
    if request.method == "POST" and form.is_valid():
        if check is not None and not cya.is_confirmation(request):
            return cya.check_form(request, request.path, check(form))
        try:
            done = run(form.cleaned_data)
        except StaleEditError as stale:
            context = {"stale": stale, "title": title, "back": back, "retry": request.path}
            return render(request, "casework/stale.html", context, status=409)
        except CaseworkError as error:
            form.add_error(None, str(error))
        else:
            cya.release(request, request.path)
            messages.success(request, done)
            return redirect(back)
    context = {
        "form": form,
        "title": title,
        "button": button,
        "intro": intro,
        "back": back,
        "purpose": purpose,
        "family_public_id": family_public_id,
        **(extra or {}),
    }
    return render(request, template, context, status=400 if request.method == "POST" else 200)


def answers(request: HttpRequest) -> Any:
    """What a checked form binds to: answers sent, answers being changed, or nothing."""
    return cya.form_data(request, request.path)


def check_page(
    request: HttpRequest,
    form: django_forms.Form,
    *,
    title: str,
    button: str,
    declaration: str,
    warning: str = "",
    caption: str = "",
) -> cya.CheckPage:
    """The check page of an irreversible casework action: the answers, what confirming
    does, and the button (a warning button when access or responsibility ends)."""
    return cya.CheckPage(
        title=title,
        caption=caption,
        sections=[cya.Section("", check_answers(form, change_url=cya.change_url(request.path)))],
        button=button,
        declaration_heading="Now confirm",
        declaration=declaration,
        warning=warning,
        warning_button=bool(warning),
        back_url=cya.change_url(request.path),
    )


def post_action(
    request: HttpRequest,
    family_public_id: str,
    run: Callable[[], Any],
    done: Callable[[Any], str],
) -> HttpResponse:
    """Run a POST-only action and go back to the family with its outcome as a message."""
    try:
        messages.success(request, done(run()))
    except CaseworkError as error:
        messages.error(request, str(error))
    return redirect(family_url(family_public_id, purpose_of(request)))


# --- opening, lead, team --------------------------------------------------------------------


@role_required(*CASEWORKERS)
def case_open(request: HttpRequest, family_public_id: str) -> HttpResponse:
    """A manager allocates a lead (also from the triage queue); a practitioner takes it on."""
    user: Any = request.user
    refused = route_in_or_refuse(request, family_public_id)
    if refused is not None:
        return refused
    form = forms.OpenCaseForm(request.POST or None, agency_id=user.agency_id)

    def run(data: dict[str, Any]) -> str:
        case = services.open_case(
            by=user, family_public_id=family_public_id, lead=data["lead"], request_id=rid(request)
        )
        return f"Case opened. {case.lead} is the lead practitioner."

    return form_page(
        request,
        family_public_id=family_public_id,
        form=form,
        title=f"Open a case for family {family_public_id}",
        button="Open the case",
        intro="Every open family has one lead practitioner, who joins the team around the family.",
        run=run,
    )


@role_required(*CASEWORKERS)
def team_add(request: HttpRequest, family_public_id: str) -> HttpResponse:
    case = case_or_refuse(request, family_public_id)
    form = forms.MemberForm(request.POST or None)

    def run(data: dict[str, Any]) -> str:
        member = services.add_member(
            by=request.user,
            case=case,
            user=data["user"],
            role=data["role"],
            request_id=rid(request),
        )
        return f"{member.user} joined the team around the family as {member.role}."

    return form_page(
        request,
        family_public_id=family_public_id,
        form=form,
        title="Add to the team around the family",
        button="Add to the team",
        intro="Joining the team gives them need to know; the sharing agreements still decide what they read.",
        run=run,
    )


@require_POST
@role_required(*CASEWORKERS)
def team_leave(request: HttpRequest, family_public_id: str, member_id: int) -> HttpResponse:
    case = case_or_refuse(request, family_public_id)
    member = case_record(case, TeamMember, member_id)
    return post_action(
        request,
        family_public_id,
        lambda: services.end_membership(
            by=request.user,
            member=member,
            reason=request.POST.get("reason", ""),
            request_id=rid(request),
        ),
        lambda left: f"{left.user} has left the team around the family.",
    )


@role_required(*CASEWORKERS)
def lead_change(request: HttpRequest, family_public_id: str) -> HttpResponse:
    case = case_or_refuse(request, family_public_id)
    form = forms.LeadForm(request.POST or None, initial={"version": case.version})

    def run(data: dict[str, Any]) -> str:
        services.change_lead(
            by=request.user,
            case=case,
            new_lead=data["new_lead"],
            expected_version=data["version"],
            request_id=rid(request),
        )
        return f"{data['new_lead']} is now the lead practitioner."

    return form_page(
        request,
        family_public_id=family_public_id,
        form=form,
        title="Change the lead practitioner",
        button="Change the lead",
        intro=f"The lead is now {case.lead}. The previous lead stays in the team until they leave it.",
        run=run,
    )


# --- notes ----------------------------------------------------------------------------------


@role_required(*CASEWORKERS)
def note_new(request: HttpRequest, family_public_id: str) -> HttpResponse:
    case = case_or_refuse(request, family_public_id)
    from django.utils import timezone

    form = forms.NoteForm(request.POST or None, initial={"occurred_on": timezone.localdate()})

    def run(data: dict[str, Any]) -> str:
        services.add_note(
            by=request.user,
            case=case,
            category=data["category"],
            body=data["body"],
            occurred_on=data["occurred_on"],
            request_id=rid(request),
        )
        return "Case note added."

    return form_page(
        request,
        family_public_id=family_public_id,
        form=form,
        title="Add a case note",
        button="Add the note",
        intro="Notes are never changed or deleted: a correction is added as an amendment.",
        run=run,
    )


@role_required(*CASEWORKERS)
def note_amend(request: HttpRequest, family_public_id: str, note_id: int) -> HttpResponse:
    case = case_or_refuse(request, family_public_id)
    note = case_record(case, CaseNote, note_id, author=request.user)
    form = forms.AmendNoteForm(request.POST or None)

    def run(data: dict[str, Any]) -> str:
        services.amend_note(
            by=request.user,
            note=note,
            body=data["body"],
            reason=data["reason"],
            request_id=rid(request),
        )
        return "Amendment added; the original note is kept."

    return form_page(
        request,
        family_public_id=family_public_id,
        form=form,
        title="Amend your case note",
        button="Add the amendment",
        intro=f"Original ({note.occurred_on:%-d %B %Y}): {note.body}",
        run=run,
    )


# --- transfers ------------------------------------------------------------------------------


@role_required(*CASEWORKERS)
def transfer_new(request: HttpRequest, family_public_id: str) -> HttpResponse:
    case = case_or_refuse(request, family_public_id)
    form = forms.TransferForm(answers(request))

    def run(data: dict[str, Any]) -> str:
        transfer = transfers.request_transfer(
            by=request.user,
            case=case,
            direction=data["direction"],
            to_agency=data["to_agency"],
            reason=data["reason"],
            request_id=rid(request),
        )
        return (
            f"{transfer.get_direction_display()} sent to {transfer.to_agency.name}. "
            "You stay responsible until they accept."
        )

    return form_page(
        request,
        family_public_id=family_public_id,
        form=form,
        title="Step up or step down",
        button="Continue",
        intro="The assessment, plan and chronology travel with the request.",
        run=run,
        check=lambda form: check_page(
            request,
            form,
            title="Check before you send the transfer",
            caption=f"Family {family_public_id}",
            button="Send the transfer",
            declaration=(
                f"{form.cleaned_data['to_agency'].name} receives the pack (the assessment, the "
                "plan and the case chronology as they stand) and need to know of the family "
                "now. You stay responsible until one of their team managers accepts."
            ),
        ),
    )


@role_required(*CASEWORKERS)
def transfer_respond(request: HttpRequest, family_public_id: str, transfer_id: int) -> HttpResponse:
    case = case_or_refuse(request, family_public_id)
    transfer = case_record(case, CaseTransfer, transfer_id)
    purpose = purpose_of(request)
    pack = read_transfer_pack(
        user=request.user, transfer=transfer, purpose=purpose, request_id=rid(request)
    )
    form = forms.TransferResponseForm(request.POST or None, agency_id=transfer.to_agency_id)

    def run(data: dict[str, Any]) -> str:
        if data["decision"] == "accept":
            if data["new_lead"] is None:
                raise CaseworkError("Choose the new lead practitioner from your team.")
            transfers.accept_transfer(
                by=request.user,
                transfer=transfer,
                new_lead=data["new_lead"],
                note=data["note"],
                request_id=rid(request),
            )
            return f"Accepted. {data['new_lead']} now leads the work with this family."
        transfers.decline_transfer(
            by=request.user, transfer=transfer, note=data["note"], request_id=rid(request)
        )
        return "Declined. The current lead has been told and carries on."

    return form_page(
        request,
        family_public_id=family_public_id,
        form=form,
        title=transfer.get_direction_display(),
        button="Send the answer",
        template="casework/transfer_respond.html",
        extra={"transfer": transfer, "pack": pack},
        run=run,
    )


@require_POST
@role_required(*CASEWORKERS)
def transfer_withdraw(
    request: HttpRequest, family_public_id: str, transfer_id: int
) -> HttpResponse:
    case = case_or_refuse(request, family_public_id)
    transfer = case_record(case, CaseTransfer, transfer_id)
    return post_action(
        request,
        family_public_id,
        lambda: transfers.withdraw_transfer(
            by=request.user, transfer=transfer, request_id=rid(request)
        ),
        lambda _: "Transfer withdrawn.",
    )


# --- closure --------------------------------------------------------------------------------


@role_required(*CASEWORKERS)
def case_close(request: HttpRequest, family_public_id: str) -> HttpResponse:
    case = case_or_refuse(request, family_public_id)
    form = forms.CloseForm(answers(request), initial={"version": case.version})

    def run(data: dict[str, Any]) -> str:
        services.close_case(
            by=request.user,
            case=case,
            reason=data["reason"],
            note=data["note"],
            expected_version=data["version"],
            request_id=rid(request),
        )
        return "Case closed. Everyone's access through the team has ended."

    return form_page(
        request,
        family_public_id=family_public_id,
        form=form,
        title="Close the case",
        button="Continue",
        run=run,
        check=lambda form: check_page(
            request,
            form,
            title="Check before you close the case",
            caption=f"Family {family_public_id}",
            button="Close the case",
            declaration="The case closes with this reason; it can be reopened later and its "
            "history is kept.",
            warning="Everyone's access through the team around the family ends at once.",
        ),
    )


@role_required(*CASEWORKERS)
def case_reopen(request: HttpRequest, family_public_id: str) -> HttpResponse:
    user: Any = request.user
    from wraparound.casework.workspace import latest_case

    refused = route_in_or_refuse(request, family_public_id)
    if refused is not None:
        return refused
    case = latest_case(family_public_id)
    if case is None:
        raise Http404("This family has no case to reopen.")
    form = forms.ReopenForm(request.POST or None, agency_id=user.agency_id)

    def run(data: dict[str, Any]) -> str:
        services.reopen_case(
            by=user, case=case, lead=data["lead"], reason=data["reason"], request_id=rid(request)
        )
        return f"Case reopened with {data['lead']} as lead; its history is kept."

    return form_page(
        request,
        family_public_id=family_public_id,
        form=form,
        title="Reopen the case",
        button="Reopen",
        run=run,
    )
