"""The GOV.UK "Check your answers" pattern before an action that cannot be undone.

The check page carries the answers it shows as hidden fields, so the confirm button acts on
exactly the answers the person checked (validated again, as any POST is). They are also held
in the session, so each "Change" link (a plain link, as the pattern has it) reopens the form
with the answers kept. An action with no form (approve, lock, disclose) shows its check page
on GET and acts on a POST marked ``confirm``.

One template, ``core/check_answers.html``, draws every check page from a :class:`CheckPage`:
summary lists (``wraparound.core.forms.check_answers`` turns a valid form into rows), then
what confirming does, then the button.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from wraparound.core.forms import Answer

SESSION_PREFIX = "check-answers:"
CONFIRM_FIELD = "confirm"
CHANGE_PARAM = "change"
NOT_SENT = {"csrfmiddlewaretoken", CONFIRM_FIELD}


@dataclass(frozen=True)
class Section:
    """One summary list on a check page, under its own heading (may be blank)."""

    heading: str
    answers: list[Answer]


@dataclass
class CheckPage:
    """Everything a check page shows; the view fills it and :func:`render_check` draws it."""

    title: str
    sections: list[Section]
    button: str
    caption: str = ""
    intro: str = ""
    warning: str = ""
    declaration_heading: str = ""
    declaration: str = ""
    back_url: str = ""
    back_text: str = "Back"
    base_template: str = "core/base.html"
    warning_button: bool = False
    hidden: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""


def render_check(request: HttpRequest, page: CheckPage, *, status: int = 200) -> HttpResponse:
    return render(request, "core/check_answers.html", {"check": page}, status=status)


def hold(request: HttpRequest, key: str, data: QueryDict) -> None:
    """Keep a form's submitted answers until the person confirms or changes them."""
    request.session[SESSION_PREFIX + key] = {
        name: data.getlist(name) for name in data if name not in NOT_SENT
    }


def held(request: HttpRequest, key: str) -> QueryDict | None:
    """The answers kept for ``key``, as the form would receive them, or None."""
    stored = request.session.get(SESSION_PREFIX + key)
    if not isinstance(stored, dict):
        return None
    data = QueryDict(mutable=True)
    for name, values in stored.items():
        data.setlist(name, [str(v) for v in values])
    return data


def release(request: HttpRequest, key: str) -> None:
    request.session.pop(SESSION_PREFIX + key, None)


def is_confirmation(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "yes"


def form_data(request: HttpRequest, key: str) -> Any:
    """What to bind the form to: answers sent (to check, or checked and confirmed), the held
    answers being changed (``?change=1``), or None for a blank form."""
    if request.method == "POST":
        return request.POST
    if request.GET.get(CHANGE_PARAM):
        return held(request, key)
    return None


def carried(data: QueryDict) -> list[tuple[str, str]]:
    """A form's answers as the check page's hidden fields (every value of every field)."""
    return [(name, value) for name in data if name not in NOT_SENT for value in data.getlist(name)]


def check_form(
    request: HttpRequest, key: str, page: CheckPage, *, status: int = 200
) -> HttpResponse:
    """Hold the answers just sent and show their check page, carrying them to the confirm."""
    hold(request, key, request.POST)
    page.hidden = carried(request.POST)
    return render_check(request, page, status=status)


def change_url(path: str) -> str:
    """The form's address for a "Change" link: it reopens with the held answers."""
    return f"{path}{'&' if '?' in path else '?'}{CHANGE_PARAM}=1"
