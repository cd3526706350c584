"""Clerical review for data analysts: the queue, a pair side by side, a person, history."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from wraparound.core import check_answers as cya
from wraparound.core.access import role_required
from wraparound.core.forms import Answer
from wraparound.core.labels import dataset_label
from wraparound.core.models import Role, User
from wraparound.matching import review_queue, selectors
from wraparound.matching.models import Person, ReviewPair, Verdict
from wraparound.matching.services import (
    IndexActionError,
    StaleReviewError,
    decide_pair,
    merge_people,
    split_person,
)

ANALYSTS = (Role.DATA_ANALYST,)
REVIEW_REASON = "Clerical review of record linkage"


def _analyst(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _request_id(request: HttpRequest) -> str | None:
    return getattr(request, "request_id", None)


@role_required(*ANALYSTS)
def queue(request: HttpRequest) -> HttpResponse:
    """The pairs waiting, filtered by agency, reason and score band, sorted, with counts."""
    agencies = review_queue.agencies_in_queue()
    chosen = review_queue.clean_choices(request.GET, list(agencies))
    view = review_queue.queue_view(chosen, agencies)
    page = Paginator(view.pairs, 50).get_page(request.GET.get("page"))
    filters = {k: v for k, v in chosen.items() if v and not (k == "sort" and v == "likely")}
    listed = list(page.object_list)
    rows, withheld = (
        selectors.queue_rows(
            user=_analyst(request),
            pairs=listed,
            note=f"{REVIEW_REASON}: queue page {page.number} (pairs "
            f"{', '.join(str(p.pk) for p in listed)})",
            request_id=_request_id(request),
        )
        if listed
        else ([], [])
    )
    return render(
        request,
        "matching/queue.html",
        {
            "page": page,
            "rows": rows,
            "withheld": withheld,
            "queue": view,
            "filter_query": urlencode(filters),
            "run": selectors.latest_run(),
            "history": selectors.index_history(10),
        },
    )


@role_required(*ANALYSTS)
def pair(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(ReviewPair, pk=pk)
    if request.method == "POST":
        verdict = request.POST.get("verdict", "")
        if verdict not in Verdict.values:
            messages.error(request, "Choose same person, different people or not sure.")
        else:
            seen = request.POST.get("seen", "")
            try:
                decide_pair(
                    user=_analyst(request),
                    pair=review,
                    verdict=verdict,
                    reason=request.POST.get("reason", ""),
                    expected_latest=int(seen) if seen.isdigit() else None,
                )
            except StaleReviewError as stale:
                messages.error(request, str(stale))
                return redirect("matching:pair", pk=review.pk)
            messages.success(request, "Decision saved. The next linkage run will respect it.")
            following = selectors.pending_pairs().exclude(pk=review.pk).first()
            return (
                redirect("matching:pair", pk=following.pk)
                if following
                else redirect("matching:queue")
            )
    left, right = selectors.person_of(review.record_key_l), selectors.person_of(review.record_key_r)
    ids = [p.public_id for p in (left, right) if p is not None]
    read = selectors.records_for_review(
        user=_analyst(request),
        record_keys=[review.record_key_l, review.record_key_r],
        person_public_id=ids[0] if ids else "",
        note=f"{REVIEW_REASON}: pair {review.pk} ({' and '.join(ids) or 'unlinked records'})",
        request_id=_request_id(request),
    )
    return render(
        request,
        "matching/pair.html",
        {
            "review": review,
            "rows": selectors.side_by_side(review, read.records),
            "withheld": read.withheld,
            "seen": selectors.latest_decision_id(review),
            "left_person": left,
            "right_person": right,
            "decisions": selectors.decisions_for(review),
            "verdicts": Verdict.choices,
        },
    )


@role_required(*ANALYSTS)
def person(request: HttpRequest, public_id: str) -> HttpResponse:
    found = get_object_or_404(Person, public_id=public_id)
    links = list(selectors.person_links(found))
    read = selectors.records_for_review(
        user=_analyst(request),
        record_keys=[link.record_key for link in links],
        person_public_id=found.public_id,
        note=f"{REVIEW_REASON}: person {found.public_id}",
        request_id=_request_id(request),
    )
    return render(
        request,
        "matching/person.html",
        {
            "person": found,
            "links": [(link, read.records.get(link.record_key, {})) for link in links],
            "withheld": read.withheld,
            "memberships": selectors.memberships_of(found),
        },
    )


def _index_check(
    request: HttpRequest,
    person: Person,
    *,
    title: str,
    answers: list[Answer],
    button: str,
    warning: str,
) -> HttpResponse:
    """ "Check your answers" before a merge or split: the person's id changes for good."""
    back = reverse("matching:person", kwargs={"public_id": person.public_id})
    page = cya.CheckPage(
        title=title,
        caption=f"Person {person.public_id}",
        sections=[cya.Section("", answers)],
        button=button,
        declaration_heading="Now make the change",
        declaration="The change and your reason go into the index history and the audit log; "
        "the next linkage run respects it.",
        warning=warning,
        back_url=back,
        back_text="Back to the person",
        hidden=cya.carried(request.POST),
    )
    return cya.render_check(request, page)


@require_POST
@role_required(*ANALYSTS)
def merge(request: HttpRequest, public_id: str) -> HttpResponse:
    keep = get_object_or_404(Person, public_id=public_id)
    other = selectors.current_person(request.POST.get("other", "").strip().upper())
    reason = request.POST.get("reason", "").strip()
    if other is None or not reason:
        messages.error(request, "Give the id of the person to merge in (P-...) and a reason.")
        return redirect("matching:person", public_id=keep.public_id)
    if not cya.is_confirmation(request):
        back = reverse("matching:person", kwargs={"public_id": keep.public_id})
        return _index_check(
            request,
            keep,
            title=f"Check before you merge {other.public_id} into {keep.public_id}",
            answers=[
                Answer(
                    "Person kept",
                    f"{keep.public_id} ({selectors.linked_record_count(keep)} records)",
                    "",
                ),
                Answer(
                    "Person merged in",
                    f"{other.public_id} ({selectors.linked_record_count(other)} records)",
                    f"{back}#other",
                ),
                Answer("Reason", reason, f"{back}#merge-reason"),
            ],
            button=f"Merge {other.public_id} into {keep.public_id}",
            warning=f"Merging retires {other.public_id} for good: its id stops working and its "
            f"records and families move to {keep.public_id}. A split can later move records "
            "out again, but only to a new person.",
        )
    try:
        merge_people(user=_analyst(request), keep=keep, absorb=other, reason=reason)
    except IndexActionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{other.public_id} merged into {keep.public_id}.")
    return redirect("matching:person", public_id=keep.public_id)


@require_POST
@role_required(*ANALYSTS)
def split(request: HttpRequest, public_id: str) -> HttpResponse:
    found = get_object_or_404(Person, public_id=public_id)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, "Give a reason for the split.")
        return redirect("matching:person", public_id=found.public_id)
    keys = request.POST.getlist("record_key")
    if not cya.is_confirmation(request):
        back = reverse("matching:person", kwargs={"public_id": found.public_id})
        return _index_check(
            request,
            found,
            title=f"Check before you split {found.public_id}",
            answers=[
                Answer(
                    "Records moved to a new person",
                    "\n".join(dataset_label(k) for k in keys) or "None ticked",
                    f"{back}#move-1",
                ),
                Answer(
                    "Records staying", str(selectors.linked_record_count(found, leaving=keys)), ""
                ),
                Answer("Reason", reason, f"{back}#split-reason"),
            ],
            button="Split into a new person",
            warning=f"The ticked records leave {found.public_id} for a new person with a new "
            "id; a merge can bring them back, but the new id then stays retired.",
        )
    try:
        new_person, _ = split_person(
            user=_analyst(request), person=found, record_keys=keys, reason=reason
        )
    except IndexActionError as error:
        messages.error(request, str(error))
        return redirect("matching:person", public_id=found.public_id)
    messages.success(request, f"Records moved to new person {new_person.public_id}.")
    return redirect("matching:person", public_id=new_person.public_id)


@role_required(*ANALYSTS)
def history(request: HttpRequest) -> HttpResponse:
    return render(request, "matching/history.html", {"changes": selectors.index_history()})


@require_POST
@role_required(*ANALYSTS)
def link_now(request: HttpRequest) -> HttpResponse:
    """Queue a linkage run (new records only, once a full run exists); show its progress."""
    from wraparound.core import jobs
    from wraparound.matching.jobs import LINK

    job = jobs.enqueue(
        LINK,
        user=_analyst(request),
        label="Link records into the master index",
        incremental=selectors.latest_complete_run() is not None,
    )
    return redirect(jobs.page_url(job))
