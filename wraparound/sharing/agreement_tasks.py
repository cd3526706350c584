"""The agreement editor as a GOV.UK task list: one page per task, then check and save.

An IG officer's answers are a working copy held in their session (``WorkingCopy``) until they
check them and save the draft, so a half-finished agreement never reaches the database (where
every saved draft must be valid) and two officers' edits never mix. The copy remembers the
revision the officer opened: the save passes it to ``update_draft``, which refuses a stale
edit and says what changed (the check that existed before the editor had tasks).

Each task's form is the agreement form cut down to the task's fields, so a task page checks
exactly its own answers with the same rules and errors as the whole form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from wraparound.core.check_answers import Section
from wraparound.core.forms import DATE_PARTS, Answer, GovukDateWidget, check_answers
from wraparound.core.models import Agency
from wraparound.sharing.forms import AgreementForm
from wraparound.sharing.models import SharingAgreement

SESSION_PREFIX = "agreement-draft:"
NOT_STARTED, IN_PROGRESS, COMPLETED, CANNOT_START = (
    "Not started",
    "In progress",
    "Completed",
    "Cannot start yet",
)


@dataclass(frozen=True)
class Task:
    slug: str
    title: str
    hint: str
    fields: tuple[str, ...] = ()
    per_party: tuple[str, ...] = ()  # field prefixes repeated for each party (bases_, provides_)
    needs: tuple[str, ...] = ()


TASKS = (
    Task("details", "Reference, title and dates", "What the agreement is called and when it is "
         "in force", ("reference", "title", "start_date", "end_date", "dpia_reference")),
    Task("parties", "Parties", "The agencies that sign it", ("party_",)),
    Task("purposes", "Purposes and lawful basis", "Why data is shared, about whom, and each "
         "party's lawful basis", ("purpose_statement", "purposes", "data_subjects"),
         per_party=("bases_",), needs=("parties",)),
    Task("data", "Data categories", "What each party shares with the others",
         per_party=("provides_",), needs=("parties",)),
    Task("consent", "Consent rules", "Whether sharing needs consent, and when it may go ahead "
         "without", ("consent_required", "no_consent_conditions")),
    Task("retention", "Retention and review", "How long data is kept and when the agreement "
         "is reviewed", ("retention", "review_date")),
    Task("suppression", "Small numbers in aggregate figures", "Optional: a lower threshold for "
         "named roles on the partnership's own pages",
         ("operational_suppression_threshold", "operational_roles"), needs=("purposes",)),
)  # fmt: skip
BY_SLUG = {t.slug: t for t in TASKS}


@dataclass
class WorkingCopy:
    """One officer's unsaved answers for a new agreement (``pk`` None) or a draft."""

    pk: int | None
    revision: int | None = None
    data: dict[str, list[str]] = field(default_factory=dict)
    saved_tasks: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{SESSION_PREFIX}{self.pk or 'new'}"

    def as_querydict(self) -> QueryDict:
        query = QueryDict(mutable=True)
        for name, values in self.data.items():
            query.setlist(name, values)
        return query

    def as_session(self) -> dict[str, Any]:
        return {"revision": self.revision, "data": self.data, "saved_tasks": self.saved_tasks}


def open_copy(session: Any, agreement: SharingAgreement | None) -> WorkingCopy:
    """The officer's working copy, started from the saved draft the first time they open it."""
    pk = agreement.pk if agreement else None
    stored = session.get(f"{SESSION_PREFIX}{pk or 'new'}")
    if isinstance(stored, dict):
        return WorkingCopy(pk, stored.get("revision"), stored.get("data") or {},
                           list(stored.get("saved_tasks") or []))  # fmt: skip
    if agreement is None:
        return WorkingCopy(None)
    return WorkingCopy(pk, agreement.revision, saved_answers(agreement), [t.slug for t in TASKS])


def keep(session: Any, copy: WorkingCopy) -> None:
    session[copy.key] = copy.as_session()


def discard(session: Any, copy: WorkingCopy) -> None:
    session.pop(copy.key, None)


def saved_answers(agreement: SharingAgreement) -> dict[str, list[str]]:
    """A saved agreement's answers as the task pages would have sent them."""
    answers: dict[str, list[str]] = {}
    for name, value in AgreementForm.initial_for(agreement).items():
        if value in (None, "", [], False):
            continue
        if value is True:
            answers[name] = ["on"]
        elif isinstance(value, list | tuple):
            answers[name] = [str(v) for v in value]
        elif hasattr(value, "isoformat"):
            answers[name] = [value.isoformat()]
        else:
            answers[name] = [str(value)]
    answers.pop("revision", None)
    return answers


def chosen_parties(copy: WorkingCopy, agencies: list[Agency]) -> list[Agency]:
    return [a for a in agencies if copy.data.get(f"party_{a.pk}")]


def task_form(task: Task, data: Any, copy: WorkingCopy, agencies: list[Agency]) -> AgreementForm:
    """The agreement form with only ``task``'s fields (per-party fields for chosen parties)."""
    form = AgreementForm(data, agencies=agencies)
    parties = chosen_parties(copy, agencies)
    keep_names = set(_names(task, form, parties, editing=copy.pk is not None))
    for name in list(form.fields):
        if name not in keep_names:
            del form.fields[name]
    form.party_scope = parties
    for name, kept in form.fields.items():
        if name.startswith("party_"):  # no lawful bases to reveal on this page
            kept.widget.attrs.pop("data-aria-controls", None)
    return form


def _names(task: Task, form: AgreementForm, parties: list[Agency], *, editing: bool) -> list[str]:
    names = [n for n in form.fields if any(_matches(n, f) for f in task.fields)]
    if editing:  # a saved draft keeps its reference
        names = [n for n in names if n != "reference"]
    for prefix in task.per_party:
        names += [f"{prefix}{a.pk}" for a in parties]
    return names


def _matches(name: str, wanted: str) -> bool:
    return name.startswith(wanted) if wanted.endswith("_") else name == wanted


def save_task(copy: WorkingCopy, task: Task, form: AgreementForm, posted: QueryDict) -> None:
    """Store the task's answers as sent (valid or not: an unfinished task is 'In progress')."""
    for name, bound_field in form.fields.items():
        keys = [name]
        if isinstance(bound_field.widget, GovukDateWidget):
            keys += [f"{name}_{part}" for part in DATE_PARTS]
        for key in keys:
            copy.data.pop(key, None)
            values = [v for v in posted.getlist(key) if v != ""]
            if values:
                copy.data[key] = values
    if task.slug not in copy.saved_tasks:
        copy.saved_tasks.append(task.slug)


@dataclass(frozen=True)
class TaskStatus:
    task: Task
    status: str

    @property
    def can_start(self) -> bool:
        return self.status != CANNOT_START


def statuses(copy: WorkingCopy, agencies: list[Agency]) -> list[TaskStatus]:
    done: set[str] = set()
    found = []
    for task in TASKS:
        if any(need not in done for need in task.needs):
            found.append(TaskStatus(task, CANNOT_START))
            continue
        form = task_form(task, copy.as_querydict(), copy, agencies)
        if task.slug in copy.saved_tasks and form.is_valid():
            done.add(task.slug)
            found.append(TaskStatus(task, COMPLETED))
        elif task.slug in copy.saved_tasks or any(n in copy.data for n in form.fields):
            found.append(TaskStatus(task, IN_PROGRESS))
        else:
            found.append(TaskStatus(task, NOT_STARTED))
    return found


def all_completed(found: list[TaskStatus]) -> bool:
    return all(s.status == COMPLETED for s in found)


def summary(copy: WorkingCopy, agencies: list[Agency], change_url: Any) -> list[Section]:
    """Each task's answers in words (a summary list per task), with a Change link per answer.

    ``change_url(task)`` is the task page's address; None leaves the links out.
    """
    sections = []
    for task in TASKS:
        form = task_form(task, copy.as_querydict(), copy, agencies)
        url = change_url(task) if change_url else ""
        if not form.is_valid():  # say so rather than leave the task out of what is checked
            missing = Answer("Not complete", "Some answers are missing or need changing", url)
            sections.append(Section(task.title, [missing]))
            continue
        if task.slug == "parties":  # one row naming the parties, not a Yes or No per agency
            names = ", ".join(a.name for a in chosen_parties(copy, agencies))
            first = next(iter(form.fields), "")
            answers = [Answer("Parties", names, f"{url}#id_{first}" if url else "")]
        else:
            answers = check_answers(form, change_url=url)
            if not url:
                answers = [Answer(a.question, a.answer, "") for a in answers]
        sections.append(Section(task.title, answers))
    return sections
