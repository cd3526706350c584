"""The agreement editor's pages: the task list, one page per task, then check and save.

A new agreement is edited at /sharing/agreements/new/..., a draft at /agreements/<pk>/edit/...;
the answers live in the officer's working copy (``wraparound.sharing.agreement_tasks``) until
the check page saves them through ``create_agreement`` or ``update_draft``.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from wraparound.core import check_answers as cya
from wraparound.core.access import role_required
from wraparound.core.models import Agency
from wraparound.sharing import agreement_tasks as tasks
from wraparound.sharing import selectors, services
from wraparound.sharing.forms import AgreementForm
from wraparound.sharing.models import AgreementStatus, SharingAgreement
from wraparound.sharing.views.common import IG, request_id, signed_in

RETURN_TO_CHECK = "check"


def _agencies() -> list[Agency]:
    return list(Agency.objects.order_by("name"))


def _draft(pk: int | None) -> SharingAgreement | None:
    if pk is None:
        return None
    try:
        return selectors.agreement_detail(pk)
    except SharingAgreement.DoesNotExist as error:
        raise Http404("No such agreement.") from error


def _url(name: str, pk: int | None, **kwargs: str) -> str:
    if pk is None:
        return reverse(f"sharing:agreement-new{'-' + name if name else ''}", kwargs=kwargs)
    return reverse(
        f"sharing:agreement-edit{'-' + name if name else ''}", kwargs={"pk": pk, **kwargs}
    )


def _locked(request: HttpRequest, agreement: SharingAgreement | None) -> HttpResponse | None:
    if agreement is not None and agreement.status != AgreementStatus.DRAFT:
        return render(request, "sharing/agreement_locked.html", {"agreement": agreement})
    return None


@role_required(IG)
def task_list(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    agreement = _draft(pk)
    if (locked := _locked(request, agreement)) is not None:
        return locked
    copy = tasks.open_copy(request.session, agreement)
    if request.method == "POST" and "discard" in request.POST:
        tasks.discard(request.session, copy)
        messages.success(request, "Your unsaved changes were discarded.")
        return redirect(_url("", pk))
    tasks.keep(request.session, copy)
    found = tasks.statuses(copy, _agencies())
    return render(
        request,
        "sharing/agreement_tasks.html",
        {
            "agreement": agreement,
            "statuses": found,
            "completed": sum(s.status == tasks.COMPLETED for s in found),
            "ready": tasks.all_completed(found),
            "check_url": _url("check", pk),
            "task_urls": {t.slug: _url("task", pk, task=t.slug) for t in tasks.TASKS},
            "unsaved": bool(copy.saved_tasks)
            if agreement is None
            else copy.data != tasks.saved_answers(agreement),
        },
    )


@role_required(IG)
def task_page(request: HttpRequest, task: str, pk: int | None = None) -> HttpResponse:
    agreement = _draft(pk)
    if (locked := _locked(request, agreement)) is not None:
        return locked
    if task not in tasks.BY_SLUG:
        raise Http404("No such task.")
    chosen = tasks.BY_SLUG[task]
    copy = tasks.open_copy(request.session, agreement)
    agencies = _agencies()
    status = {s.task.slug: s for s in tasks.statuses(copy, agencies)}[task]
    if not status.can_start:
        messages.error(request, f"Finish {_needs(chosen)} first.")
        return redirect(_url("", pk))
    if request.method == "POST":
        form = tasks.task_form(chosen, request.POST, copy, agencies)
        tasks.save_task(copy, chosen, form, request.POST)
        tasks.keep(request.session, copy)
        if form.is_valid():
            back = request.GET.get("return") == RETURN_TO_CHECK
            return redirect(_url("check", pk) if back else _url("", pk))
    else:  # a task saved before shows its answers (and, if unfinished, what is missing)
        data = copy.as_querydict() if task in copy.saved_tasks else None
        form = tasks.task_form(chosen, data, copy, agencies)
    return render(
        request,
        "sharing/agreement_task.html",
        {
            "agreement": agreement,
            "task": chosen,
            "form": form,
            "list_url": _url("", pk),
            "publication_threshold": _publication_threshold(),
        },
    )


def _needs(task: tasks.Task) -> str:
    return " and ".join(f"“{tasks.BY_SLUG[n].title}”" for n in task.needs)


def _publication_threshold() -> int:
    from django.conf import settings

    return int(settings.SUPPRESSION_THRESHOLD)


@role_required(IG)
def check_page(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Check every answer, then save the draft (a new agreement, or the draft's next revision)."""
    agreement = _draft(pk)
    if (locked := _locked(request, agreement)) is not None:
        return locked
    copy = tasks.open_copy(request.session, agreement)
    agencies = _agencies()
    if not tasks.all_completed(tasks.statuses(copy, agencies)):
        messages.error(request, "Complete every task before you check and save the draft.")
        return redirect(_url("", pk))
    error = ""
    if cya.is_confirmation(request):
        saved = _save(request, copy, agreement, agencies)
        if isinstance(saved, SharingAgreement):
            tasks.discard(request.session, copy)
            messages.success(
                request,
                "Draft saved. Each party's IG officer must now approve it."
                if agreement is None
                else "Draft updated. Each party's IG officer approves it from its page.",
            )
            return redirect("sharing:agreement", pk=saved.pk)
        error = saved
    page = cya.CheckPage(
        title="Check the agreement before you save the draft",
        caption=agreement.reference if agreement else "New information-sharing agreement",
        sections=tasks.summary(
            copy, agencies, lambda t: _url("task", pk, task=t.slug) + f"?return={RETURN_TO_CHECK}"
        ),
        button="Save draft",
        declaration_heading="Now save the draft",
        declaration="Saving does not put the agreement in force: it permits nothing until the "
        "IG officer of every party has approved this version.",
        back_url=_url("", pk),
        back_text="Back to the tasks",
        base_template="sharing/base.html",
        error=error,
    )
    return cya.render_check(request, page, status=400 if error else 200)


def _save(
    request: HttpRequest,
    copy: tasks.WorkingCopy,
    agreement: SharingAgreement | None,
    agencies: list[Agency],
) -> SharingAgreement | str:
    """Save through the service; the error message when it refuses (a stale edit says what
    changed since this officer opened the draft)."""
    form = AgreementForm(copy.as_querydict(), agencies=agencies)
    if not form.is_valid():
        return " ".join(e.message for e in form.error_summary())
    try:
        if agreement is None:
            return services.create_agreement(
                by=signed_in(request), draft=form.to_draft(), request_id=request_id(request)
            )
        return services.update_draft(
            by=signed_in(request),
            agreement=agreement,
            draft=form.to_draft(),
            expected_revision=copy.revision,
            request_id=request_id(request),
        )
    except services.StaleEditError as stale:
        return (
            f"{stale} To start again from the saved draft, discard your changes on the task list."
        )
    except services.SharingError as refused:
        return str(refused)
