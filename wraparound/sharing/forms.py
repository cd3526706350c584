"""Forms for IG officers and practitioners, with GOV.UK Frontend classes on their widgets."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms

from wraparound.core.forms import GovukDateInput, GovukForm
from wraparound.core.models import Agency, Role
from wraparound.sharing.catalogues import catalogues, choices
from wraparound.sharing.models import (
    AuditAction,
    AuditOutcome,
    BreakGlassOutcome,
    ConsentDecision,
    ConsentMethod,
    DataSubject,
    RedactionReason,
    SharingAgreement,
)
from wraparound.sharing.services import (
    MAX_BREAK_GLASS_HOURS,
    MIN_BREAK_GLASS_REASON,
    AgreementDraft,
    PartySpec,
)

PUBLIC_ID_HELP = "The id from the family or person record, for example F-1A2B3C4D."


class GovukFormMixin(GovukForm):
    """GOV.UK widgets, errors that name their field and an error summary (wraparound.core.forms)."""

    fields: dict[str, forms.Field]

    def _choice(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])

    def style(self) -> None:
        self.govuk()


# Dates as the GOV.UK date input (day, month, year boxes), not the browser's own picker.
DateInput = GovukDateInput


class AgreementForm(GovukFormMixin, forms.Form):
    reference = forms.CharField(max_length=40, help_text="A short reference, for example DSA-004.")
    title = forms.CharField(max_length=200)
    purpose_statement = forms.CharField(
        widget=forms.Textarea, help_text="The precise purpose, as the parties will sign it."
    )
    purposes = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple)
    data_subjects = forms.MultipleChoiceField(
        choices=DataSubject.choices, widget=forms.CheckboxSelectMultiple
    )
    consent_required = forms.BooleanField(
        required=False,
        label="Sharing under this agreement needs the family's consent",
        help_text="Leave unticked where a statutory basis such as public task applies.",
    )
    no_consent_conditions = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Conditions under which a practitioner may record sharing without consent",
    )
    retention = forms.CharField(max_length=200, help_text="For example: until the child is 25.")
    dpia_reference = forms.CharField(max_length=100, required=False, label="DPIA reference")
    start_date = forms.DateField(widget=DateInput)
    end_date = forms.DateField(widget=DateInput, required=False)
    review_date = forms.DateField(widget=DateInput, required=False)
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    operational_suppression_threshold = forms.IntegerField(
        required=False,
        min_value=2,
        label="Operational suppression threshold (optional)",
        help_text="For an aggregate purpose only. Counts below this are hidden from the roles "
        "named below on the service's own pages. Exports and anything leaving the partnership "
        "keep publication suppression.",
    )
    operational_roles = forms.MultipleChoiceField(
        required=False,
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Roles that see figures at the operational threshold",
    )

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cats = catalogues()
        self.agencies = agencies
        self._choice("purposes").choices = choices(cats.purposes)
        self._choice("no_consent_conditions").choices = choices(cats.no_consent_conditions, "title")
        for agency in agencies:
            # Ticking a party reveals its lawful bases and data (GOV.UK conditional reveal),
            # so the form is one checkbox per agency until the officer chooses the parties.
            self.fields[f"party_{agency.pk}"] = forms.BooleanField(
                required=False,
                label=agency.name,
                widget=forms.CheckboxInput({"data-aria-controls": f"party-{agency.pk}-details"}),
            )
            self.fields[f"bases_{agency.pk}"] = forms.MultipleChoiceField(
                required=False,
                choices=choices(cats.lawful_bases, "title"),
                widget=forms.CheckboxSelectMultiple,
                label=f"Lawful bases for {agency.name}",
            )
            self.fields[f"provides_{agency.pk}"] = forms.MultipleChoiceField(
                required=False,
                choices=choices(cats.categories),
                widget=forms.CheckboxSelectMultiple,
                label=f"Data {agency.name} shares",
            )
        self.style()
        if agencies:
            self.non_field_errors_target = f"id_party_{agencies[0].pk}"

    @property
    def party_rows(self) -> list[tuple[Agency, Any, Any, Any]]:
        return [
            (a, self[f"party_{a.pk}"], self[f"bases_{a.pk}"], self[f"provides_{a.pk}"])
            for a in self.agencies
        ]

    # The parties chosen on another task page, when this form is cut down to one task.
    party_scope: list[Agency] | None = None

    def clean(self) -> dict[str, Any]:
        """Checks only the answers this form asks for (a task page asks for some of them)."""
        data = super().clean() or {}
        if any(f"party_{a.pk}" in self.fields for a in self.agencies):
            chosen = [a for a in self.agencies if data.get(f"party_{a.pk}")]
            if len(chosen) < 2:
                raise forms.ValidationError("Tick at least two parties.")
        else:
            chosen = list(self.party_scope or [])
        for agency in chosen:
            name = f"bases_{agency.pk}"
            if name in self.fields and not data.get(name):
                self.add_error(name, f"Choose a lawful basis for {agency.name}.")
        return data

    def to_draft(self) -> AgreementDraft:
        data = self.cleaned_data
        parties = [
            PartySpec(
                agency=a,
                lawful_bases=list(data[f"bases_{a.pk}"]),
                provides=list(data[f"provides_{a.pk}"]),
            )
            for a in self.agencies
            if data.get(f"party_{a.pk}")
        ]
        return AgreementDraft(
            reference=data["reference"].strip(),
            title=data["title"].strip(),
            purpose_statement=data["purpose_statement"].strip(),
            purposes=list(data["purposes"]),
            parties=parties,
            start_date=data["start_date"],
            retention=data["retention"].strip(),
            data_subjects=list(data["data_subjects"]),
            consent_required=bool(data["consent_required"]),
            no_consent_conditions=list(data["no_consent_conditions"]),
            dpia_reference=data["dpia_reference"].strip(),
            end_date=data["end_date"],
            review_date=data["review_date"],
            operational_suppression_threshold=data.get("operational_suppression_threshold"),
            operational_roles=list(data.get("operational_roles") or []),
        )

    @classmethod
    def initial_for(cls, agreement: SharingAgreement) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(agreement, name)
            for name in (
                "reference", "title", "purpose_statement", "purposes", "data_subjects",
                "consent_required", "no_consent_conditions", "retention", "dpia_reference",
                "start_date", "end_date", "review_date", "revision",
                "operational_suppression_threshold", "operational_roles",
            )
        }  # fmt: skip
        for party in agreement.parties.all():
            initial[f"party_{party.agency_id}"] = True
            initial[f"bases_{party.agency_id}"] = party.lawful_bases
        for shared in agreement.shared_categories.all():
            initial.setdefault(f"provides_{shared.providing_agency_id}", []).append(shared.category)
        return initial


class ReasonForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(widget=forms.Textarea, label="Why is it suspended?")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class ConsentForm(GovukFormMixin, forms.Form):
    family_public_id = forms.CharField(max_length=32, label="Family id", help_text=PUBLIC_ID_HELP)
    person_public_id = forms.CharField(
        max_length=32,
        required=False,
        label="Person id (optional)",
        help_text="Leave blank when the decision covers the whole family.",
    )
    decision = forms.ChoiceField(choices=ConsentDecision.choices, widget=forms.RadioSelect)
    no_consent_condition = forms.ChoiceField(
        required=False,
        label="If shared without consent: the condition relied on",
    )
    agreement = forms.ModelChoiceField(
        queryset=SharingAgreement.objects.filter(consent_required=True),
        required=False,
        empty_label="Every agreement that needs consent",
    )
    categories = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked when the decision covers every category.",
    )
    purposes = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked when the decision covers every purpose.",
    )
    given_by = forms.CharField(
        max_length=200,
        required=False,
        label="Who gave, refused or withdrew it",
        help_text="Their name and relation to the child, e.g. Sam Jones (mother).",
    )
    method = forms.ChoiceField(
        choices=[("", "Choose how"), *ConsentMethod.choices],
        required=False,
        label="How it was given",
    )
    notes = forms.CharField(widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cats = catalogues()
        self._choice("no_consent_condition").choices = [
            ("", "Not applicable"),
            *choices(cats.no_consent_conditions, "title"),
        ]
        self._choice("categories").choices = choices(cats.categories)
        self._choice("purposes").choices = [
            (code, p.label) for code, p in cats.purposes.items() if not p.aggregate
        ]
        self.style()


class BreakGlassForm(GovukFormMixin, forms.Form):
    family_public_id = forms.CharField(max_length=32, label="Family id", help_text=PUBLIC_ID_HELP)
    reason = forms.CharField(
        widget=forms.Textarea,
        label="Why do you need this now?",
        error_messages={"required": "Say why you need emergency access now"},
        help_text="Say who is at risk and why you cannot wait for a referral or allocation. "
        "The information governance officers of the agencies whose data you open will review it.",
    )
    categories = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label="What data do you need?",
        error_messages={"required": "Choose the data you need"},
    )
    hours = forms.IntegerField(
        min_value=1,
        max_value=MAX_BREAK_GLASS_HOURS,
        initial=4,
        label="For how many hours?",
        help_text=f"Between 1 and {MAX_BREAK_GLASS_HOURS}. Access ends automatically.",
        error_messages={
            "required": f"Say for how many hours you need access, from 1 to {MAX_BREAK_GLASS_HOURS}"
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choice("categories").choices = choices(catalogues().categories)
        self.style()
        self.fields["hours"].widget.attrs["class"] = "govuk-input govuk-input--width-3"

    def clean_reason(self) -> str:
        """The service's own rule, said on the form before the check page rather than after."""
        reason = str(self.cleaned_data.get("reason", "")).strip()
        if len(reason) < MIN_BREAK_GLASS_REASON:
            raise forms.ValidationError(
                f"Explain the emergency in at least {MIN_BREAK_GLASS_REASON} characters: "
                "who is at risk and why you cannot wait."
            )
        return reason


class ReviewForm(GovukFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        choices=BreakGlassOutcome.choices, widget=forms.RadioSelect, label="Was the use justified?"
    )
    notes = forms.CharField(widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class AuditSearchForm(GovukFormMixin, forms.Form):
    person = forms.CharField(required=False, label="Person id")
    family = forms.CharField(required=False, label="Family id")
    user = forms.CharField(required=False, label="Username")
    agency = forms.ChoiceField(required=False, label="Agency of the user")
    outcome = forms.ChoiceField(
        required=False, choices=[("", "Any"), *AuditOutcome.choices], label="Outcome"
    )
    action = forms.ChoiceField(
        required=False, choices=[("", "Any"), *AuditAction.choices], label="Action"
    )
    date_from = forms.DateField(required=False, widget=DateInput, label="From")
    date_to = forms.DateField(required=False, widget=DateInput, label="To")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choice("agency").choices = [
            ("", "Any"),
            *Agency.objects.values_list("slug", "name"),
        ]
        self.style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: dt.date | None = data.get("date_from")
        end: dt.date | None = data.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError("The 'to' date is before the 'from' date.")
        return data


class SubjectAccessForm(GovukFormMixin, forms.Form):
    """Find the person: by surname and date of birth (as requesters give them), or by id."""

    surname = forms.CharField(max_length=100, required=False)
    first_name = forms.CharField(max_length=100, required=False, label="First name (optional)")
    dob = forms.DateField(widget=DateInput, required=False, label="Date of birth")
    person = forms.CharField(
        max_length=32,
        required=False,
        label="Or the person id",
        help_text="For example P-1A2B3C4D.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        by_name = bool(data.get("surname", "").strip() and data.get("dob"))
        if not by_name and not data.get("person", "").strip():
            raise forms.ValidationError(
                "Give the person's surname and date of birth, or their person id."
            )
        return data


class SubjectAccessRequestForm(GovukFormMixin, forms.Form):
    person = forms.CharField(max_length=32, widget=forms.HiddenInput)
    requester = forms.CharField(
        max_length=200, label="Who made the request", help_text="Name and relation to the person."
    )
    received_on = forms.DateField(widget=DateInput, label="Date received")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class RedactionForm(GovukFormMixin, forms.Form):
    item_ref = forms.CharField(max_length=300, widget=forms.HiddenInput)
    reason = forms.ChoiceField(choices=RedactionReason.choices, label="Exemption relied on")
    note = forms.CharField(max_length=500, required=False, label="Note")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class DelegationForm(GovukFormMixin, forms.Form):
    to_agency = forms.ModelChoiceField(
        queryset=Agency.objects.order_by("name"), label="Agency whose analysts will upload"
    )
    reason = forms.CharField(widget=forms.Textarea, label="Why")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()
