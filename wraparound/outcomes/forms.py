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
