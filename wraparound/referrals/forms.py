"""Forms for referral pages: they parse input; the checks live in ``rules`` and ``services``."""

from __future__ import annotations

from typing import Any

from django import forms

from wraparound.core.forms import GovukForm
from wraparound.core.models import Agency
from wraparound.directory.vocabulary import outcome_labels
from wraparound.referrals.catalogues import reasons
from wraparound.referrals.models import ConsentBasis, Urgency
from wraparound.referrals.rules import CONSENT_METHODS, ReferralDraft, individual_purposes
from wraparound.sharing.catalogues import catalogues


def _categories() -> list[tuple[str, str]]:
    return [(code, c.label) for code, c in catalogues().categories.items()]


class ReferralForm(GovukForm, forms.Form):
    family_public_id = forms.CharField(
        label="Family id",
        max_length=32,
        help_text="The family's id in Wraparound, like F-45RCUNUJ.",
        error_messages={"required": "Enter the family's id, like F-45RCUNUJ"},
    )
    to_agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        required=False,
        label="Agency you are referring to",
        empty_label="Choose an agency",
        error_messages={"invalid_choice": "Choose an agency from the list"},
    )
    to_service_id = forms.CharField(required=False, widget=forms.HiddenInput)
    suggested = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    purpose = forms.ChoiceField(label="What the referral is for", widget=forms.RadioSelect)
    needs = forms.MultipleChoiceField(
        label="Which needs is it about?",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one need the referral is about"},
    )
    reason = forms.CharField(
        label="Why are you referring?",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What is worrying, what has been tried, and what you hope the service will do.",
        error_messages={"required": "Say why you are referring"},
    )
    urgency = forms.ChoiceField(
        label="How urgent is it?",
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        initial=Urgency.STANDARD,
    )
    consent_basis = forms.ChoiceField(
        label="Has the family agreed to this referral?",
        choices=ConsentBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the family agreed to this referral"},
    )
    consent_given_by = forms.CharField(
        required=False,
        max_length=200,
        label="Who agreed?",
        help_text="For example: Mother, or the young person.",
    )
    consent_method = forms.ChoiceField(
        required=False,
        label="How did they agree?",
        choices=list(CONSENT_METHODS.items()),
        widget=forms.RadioSelect,
    )
    no_consent_condition = forms.ChoiceField(
        required=False, label="Legal condition for referring without consent"
    )
    no_consent_reason = forms.CharField(
        required=False,
        label="Why consent was not sought",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    shared_categories = forms.MultipleChoiceField(
        label="What information do you share with the referral?",
        widget=forms.CheckboxSelectMultiple,
        help_text="The receiving agency sees these, as far as the sharing agreements allow.",
        error_messages={"required": "Choose what information you share with the referral"},
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.order_by("name")
        if user is not None and getattr(user, "agency_id", None):
            agencies = agencies.exclude(pk=user.agency_id)
        self.fields["to_agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["purpose"].choices = list(individual_purposes().items())  # type: ignore[attr-defined]
        self.fields["needs"].choices = list(outcome_labels().items())  # type: ignore[attr-defined]
        self.fields["shared_categories"].choices = _categories()  # type: ignore[attr-defined]
        conditions = catalogues().no_consent_conditions
        self.fields["no_consent_condition"].choices = [("", "Choose a condition")] + [  # type: ignore[attr-defined]
            (code, c.title) for code, c in conditions.items()
        ]

    def draft(self, suggestion: dict[str, Any] | None = None) -> ReferralDraft:
        data = self.cleaned_data
        agency = data.get("to_agency")
        return ReferralDraft(
            family_public_id=data["family_public_id"].strip().upper(),
            to_agency_id=agency.pk if agency else None,
            to_service_id=data.get("to_service_id") or "",
            purpose=data["purpose"],
            reason=data["reason"],
            needs=list(data["needs"]),
            urgency=data["urgency"],
            consent_basis=data["consent_basis"],
            consent_given_by=data.get("consent_given_by") or "",
            consent_method=data.get("consent_method") or "",
            no_consent_condition=data.get("no_consent_condition") or "",
            no_consent_reason=data.get("no_consent_reason") or "",
            shared_categories=list(data["shared_categories"]),
            suggestion=suggestion or {},
        )


def _choices(table: dict[str, str]) -> list[tuple[str, str]]:
    return list(table.items())


class DeclineForm(GovukForm, forms.Form):
    decline_reason = forms.ChoiceField(label="Why are you declining?", widget=forms.RadioSelect)
    signpost = forms.CharField(
        label="Where should the family go instead?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A service in the directory, or who to contact. The referrer is told.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decline_reason"].choices = _choices(reasons().decline)  # type: ignore[attr-defined]


class QuestionForm(GovukForm, forms.Form):
    question = forms.CharField(
        label="What do you need to know to decide?", widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(GovukForm, forms.Form):
    answer = forms.CharField(label="Your answer", widget=forms.Textarea(attrs={"rows": 3}))


class AcceptForm(GovukForm, forms.Form):
    note = forms.CharField(
        required=False,
        label="Note for the referrer (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WithdrawForm(GovukForm, forms.Form):
    withdraw_reason = forms.ChoiceField(
        label="Why are you withdrawing it?", widget=forms.RadioSelect
    )
    note = forms.CharField(
        required=False, label="Anything to add (optional)", widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["withdraw_reason"].choices = _choices(reasons().withdraw)  # type: ignore[attr-defined]


class CloseForm(GovukForm, forms.Form):
    close_reason = forms.ChoiceField(label="Why is the work closing?", widget=forms.RadioSelect)
    note = forms.CharField(
        required=False, label="Anything to add (optional)", widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["close_reason"].choices = _choices(reasons().close)  # type: ignore[attr-defined]


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "accept": AcceptForm,
    "decline": DeclineForm,
    "request-information": QuestionForm,
    "provide-information": AnswerForm,
    "withdraw": WithdrawForm,
    "close": CloseForm,
}
