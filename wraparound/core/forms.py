"""GOV.UK Design System form plumbing shared by every app's forms.

- :class:`GovukForm` (a mixin): GOV.UK classes on widgets; "required" errors that name the
  field ("Enter the start date", "Choose at least one purpose") instead of Django's bare
  "This field is required."; and :meth:`GovukForm.error_summary` for the error summary,
  each message linked to the input it is about.
- :class:`GovukDateField`: the date input pattern (day, month and year boxes), with the
  pattern's own error messages ("Start date must include a year", "... must be a real date").
- :func:`check_answers`: the "Check your answers" summary of a valid form, choices in words
  (``wraparound.core.check_answers`` holds the answers between the form and its check page).

Why in-house rather than a package (checked 2026-12): ``crispy-forms-gds`` 2.x supports
GOV.UK Frontend 5.0-5.8 and Django 5.0-5.1, not our Frontend 5.14 / Django 5.2; and
``govuk-frontend-django`` 0.20 (which matches Frontend 5.14) renders components through
Jinja2 macros, a second template engine beside the Django templates every page already uses,
and still leaves field errors and the date field to us. What we need is four small templates
and this module; the markup follows the Design System's published HTML for Frontend 5.14.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms

DATE_PARTS = ("day", "month", "year")
CHOICE_WIDGETS = (forms.CheckboxSelectMultiple, forms.RadioSelect, forms.Select)


class GovukDateWidget(forms.MultiWidget):
    """Three text boxes, day, month and year, in a fieldset (GOV.UK date input)."""

    template_name = "core/forms/date_input.html"
    govuk_date = True  # templates render it in a fieldset with the label as its legend

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        box = {"inputmode": "numeric", "class": "govuk-input govuk-date-input__input"}
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "day": forms.TextInput({**box, "class": box["class"] + " govuk-input--width-2"}),
            "month": forms.TextInput({**box, "class": box["class"] + " govuk-input--width-2"}),
            "year": forms.TextInput({**box, "class": box["class"] + " govuk-input--width-4"}),
        }
        super().__init__(widgets, attrs)

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_day" if id_ else id_

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        if isinstance(value, str) and value:
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
            return [day.day, day.month, day.year]
        return [None, None, None]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        base = context["widget"]["attrs"].get("id", "")
        for sub, part in zip(context["widget"]["subwidgets"], DATE_PARTS, strict=True):
            sub["label"] = part.capitalize()
            if base:
                sub["attrs"]["id"] = f"{base}_{part}"
        # Django marks a field with errors aria-invalid; the boxes then get the error border.
        context["widget"]["invalid"] = bool((attrs or {}).get("aria-invalid"))
        return context


class GovukDateInput(GovukDateWidget):
    """The date input pattern for a plain ``forms.DateField``: the boxes become YYYY-MM-DD.

    A part left blank or not a number reaches the field as typed, so the field says the date
    is not valid rather than guessing.
    """

    def value_from_datadict(  # type: ignore[override]
        self, data: Any, files: Any, name: str
    ) -> str | None:
        parts = super().value_from_datadict(data, files, name)
        day, month, year = (str(p or "").strip() for p in parts)
        if not (day or month or year):
            return data.get(name) or None  # one ISO value (a script or an older form)
        if day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4:
            return f"{year}-{int(month):02d}-{int(day):02d}"
        return f"{day}/{month}/{year}"


class GovukDateField(forms.MultiValueField):
    """A date typed as day, month and year; errors say which part is missing or wrong."""

    widget = GovukDateWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields, require_all_fields=False, **kwargs)

    def clean(self, value: Any) -> dt.date | None:  # type: ignore[override]
        parts = [str(p).strip() if p is not None else "" for p in (value or ["", "", ""])]
        name = str(self.label or "The date")
        if not any(parts):
            if self.required:
                raise forms.ValidationError(f"Enter {_lower_first(name)}", code="required")
            return None
        missing = [part for part, text in zip(("day", "month", "year"), parts, strict=True)
                   if not text]  # fmt: skip
        if missing:
            raise forms.ValidationError(f"{name} must include a {' and a '.join(missing)}")
        if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
            raise forms.ValidationError(f"{name} must be a real date, for example 27 3 2026")
        try:
            return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise forms.ValidationError(f"{name} must be a real date") from None

    def compress(self, data_list: list[Any]) -> Any:  # pragma: no cover - clean() does it
        return data_list


def _lower_first(text: str) -> str:
    """``Start date`` -> ``the start date``; keeps acronyms (``DPIA reference``)."""
    if len(text) > 1 and text[1].isupper():
        return f"the {text}"
    return f"the {text[:1].lower()}{text[1:]}"


def required_message(field: forms.Field, name: str) -> str:
    """The GOV.UK wording for a missing answer, naming the field."""
    label = str(field.label or name.replace("_", " ").capitalize())
    if label.endswith("?"):  # a question: quote it rather than bend it into a sentence
        return f"Answer “{label}”"
    if isinstance(field.widget, forms.CheckboxSelectMultiple):
        return f"Choose at least one: {_lower_first(label).removeprefix('the ')}"
    if isinstance(field.widget, CHOICE_WIDGETS):
        return f"Choose {_lower_first(label)}"
    if isinstance(field.widget, forms.CheckboxInput):
        return f"Tick to confirm: {_lower_first(label).removeprefix('the ')}"
    return f"Enter {_lower_first(label)}"


@dataclass(frozen=True)
class SummaryError:
    """One line of the error summary: the message and the id of the input it links to."""

    message: str
    target: str


class GovukForm:
    """Mixin for a Django form: GOV.UK widgets, named errors and an error summary.

    Call :meth:`govuk` at the end of ``__init__`` (after adding dynamic fields).
    """

    fields: dict[str, forms.Field]
    errors: Any
    prefix: str | None
    # Where the summary's form-wide errors link to (an input id); the page's main by default.
    non_field_errors_target: str = ""

    def govuk(self) -> None:
        default = forms.Field.default_error_messages["required"]
        for name, field in self.fields.items():
            if field.error_messages.get("required") in (default, None):
                field.error_messages["required"] = required_message(field, name)
            _style(field.widget)

    def error_summary(self) -> list[SummaryError]:
        """Non-field errors first (linked to the form), then each field's, in form order."""
        form: Any = self
        target = getattr(self, "non_field_errors_target", "") or "main-content"
        summary = [SummaryError(str(e), target) for e in form.non_field_errors()]
        for bound in form:
            for error in bound.errors:
                summary.append(SummaryError(str(error), _first_input_id(bound)))
        return summary


def _style(widget: forms.Widget) -> None:
    if isinstance(widget, GovukDateWidget):
        return
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
        widget.attrs["class"] = "govuk-checkboxes__input"
    elif isinstance(widget, forms.RadioSelect):
        widget.attrs["class"] = "govuk-radios__input"
    elif isinstance(widget, forms.Textarea):
        widget.attrs.setdefault("class", "govuk-textarea")
        widget.attrs.setdefault("rows", "4")
    elif isinstance(widget, forms.Select):
        widget.attrs["class"] = "govuk-select"
    elif not isinstance(widget, forms.HiddenInput | forms.FileInput):
        widget.attrs.setdefault("class", "govuk-input")
    elif isinstance(widget, forms.FileInput):
        widget.attrs.setdefault("class", "govuk-file-upload")


def _first_input_id(bound: forms.BoundField) -> str:
    """The id the summary links to: the first box of a date, the first option of a choice."""
    widget = bound.field.widget
    if isinstance(widget, GovukDateWidget):
        return f"{bound.auto_id}_day"
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        return f"{bound.auto_id}_0"
    return str(bound.id_for_label or bound.auto_id)


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    change_target: str


def check_answers(form: forms.Form, *, change_url: str = "") -> list[Answer]:
    """A valid form's answers in words, each with a link back to change it.

    Choices show their labels (not their codes); dates as "27 March 2026"; empty answers as
    "Not given". Hidden fields are left out.
    """
    answers = []
    for bound in form:
        if bound.is_hidden:
            continue
        value = form.cleaned_data.get(bound.name)
        answers.append(
            Answer(
                str(bound.label),
                _answer_text(bound.field, value),
                f"{change_url}#{_first_input_id(bound)}",
            )
        )
    return answers


def _answer_text(field: forms.Field, value: Any) -> str:
    if value in (None, "", [], ()):
        empty = getattr(field, "empty_label", None)  # "Every agreement", not "Not given"
        return str(empty) if empty else "Not given"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return f"{value:%-d %B %Y}"
    choices = dict(getattr(field, "choices", []) or [])
    if isinstance(value, list | tuple):
        return ", ".join(str(choices.get(v, v)) for v in value)
    return str(choices.get(value, value))
