"""Forms for submitting a quarter's claims: the answers, then the declaration on the check page."""

from __future__ import annotations

from typing import Any

from django import forms

from wraparound.core.forms import GovukForm


class SubmitReturnForm(GovukForm, forms.Form):
    """Which quarter to submit, and an optional note recorded with each claim's submission."""

    period = forms.ChoiceField(label="Which quarter are you submitting?", widget=forms.RadioSelect)
    note = forms.CharField(
        label="Note for the return (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea,
        help_text="Recorded with each claim's submission, for example who signed the return off.",
    )

    def __init__(self, *args: Any, periods: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        period = self.fields["period"]
        assert isinstance(period, forms.ChoiceField)
        period.choices = [(p, p) for p in periods]
        self.govuk()


class ConfirmReturnForm(GovukForm, forms.Form):
    """The declaration on the check page, before the return is submitted."""

    confirm = forms.BooleanField(
        label=(
            "I confirm each claim was validated by someone other than its claimant and internal "
            "audit has checked its sample"
        )
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.govuk()


YES_NO = [("yes", "Yes"), ("no", "No")]


class SpotCheckForm(GovukForm, forms.Form):
    """The internal auditor's three answers about a sampled claim, and a note.

    A "no" needs a note saying why, so the claiming team can act on it; the answers are only
    recorded after the auditor has checked them (see ``audit_check``).
    """

    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text="Required when any answer is no: say what is missing or wrong.",
    )

    def __init__(self, *args: Any, questions: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        answers = {
            key: forms.ChoiceField(label=text, choices=YES_NO, widget=forms.RadioSelect)
            for key, text in questions.items()
        }
        self.fields = {**answers, "note": self.fields["note"]}
        self.questions = list(questions)
        self.govuk()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        failed = any(cleaned.get(q) == "no" for q in self.questions)
        if failed and not str(cleaned.get("note", "")).strip():
            self.add_error("note", "Say why the claim fails the spot check")
        return cleaned

    def answers(self) -> dict[str, bool]:
        return {q: self.cleaned_data[q] == "yes" for q in self.questions}
