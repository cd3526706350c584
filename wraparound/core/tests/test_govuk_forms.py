"""GOV.UK form plumbing: errors name their field and link to it; dates as day, month, year."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.template import engines

from wraparound.core.forms import GovukDateField, GovukForm, check_answers

PAGE = engines["django"].from_string(
    '{% include "core/forms/_error_summary.html" %}'
    '{% for field in form %}{% include "core/forms/_field.html" %}{% endfor %}'
)


class ExampleForm(GovukForm, forms.Form):
    title = forms.CharField(label="Title")
    purposes = forms.MultipleChoiceField(
        label="Purposes",
        choices=[("safeguarding", "Safeguarding"), ("case_management", "Case management")],
        widget=forms.CheckboxSelectMultiple,
    )
    start_date = GovukDateField(label="Start date")
    review_date = GovukDateField(label="Review date", required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.govuk()


def _render(form: forms.Form) -> str:
    return PAGE.render({"form": form})


def test_an_empty_form_names_every_missing_answer_and_links_to_its_input() -> None:
    form = ExampleForm(data={})
    assert not form.is_valid()
    html = _render(form)
    assert "This field is required" not in html
    links = dict(re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', html))
    assert links == {
        "id_title": "Enter the title",
        "id_purposes_0": "Choose at least one: purposes",
        "id_start_date_day": "Enter the start date",
    }
    for target in links:
        assert f'id="{target}"' in html, f"the summary links to #{target}, which is on the page"


def test_a_date_is_typed_as_day_month_and_year_boxes() -> None:
    html = _render(ExampleForm())
    for part, label in (("day", "Day"), ("month", "Month"), ("year", "Year")):
        assert f'name="start_date_{part}"' in html
        assert f'for="id_start_date_{part}">{label}</label>' in html
    assert 'type="date"' not in html
    assert "<legend" in html


def test_a_date_error_says_what_is_wrong_with_it() -> None:
    def error(day: str, month: str, year: str) -> str:
        form = ExampleForm(
            data={
                "title": "T",
                "purposes": ["safeguarding"],
                "start_date_day": day,
                "start_date_month": month,
                "start_date_year": year,
            }
        )
        assert not form.is_valid()
        return str(form.errors["start_date"][0])

    assert error("3", "", "2026") == "Start date must include a month"
    assert error("31", "2", "2026") == "Start date must be a real date"
    assert error("3", "4", "26").startswith("Start date must be a real date")


def test_check_your_answers_shows_labels_not_codes() -> None:
    form = ExampleForm(
        data={
            "title": "Early help DSA",
            "purposes": ["case_management"],
            "start_date_day": "1",
            "start_date_month": "4",
            "start_date_year": "2026",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["start_date"] == dt.date(2026, 4, 1)
    answers = {a.question: a.answer for a in check_answers(form, change_url="/edit/")}
    assert answers == {
        "Title": "Early help DSA",
        "Purposes": "Case management",
        "Start date": "1 April 2026",
        "Review date": "Not given",
    }
