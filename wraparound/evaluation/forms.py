"""The plan form: the question, written down before any result is seen."""

from __future__ import annotations

from typing import Any

from django import forms

from wraparound.core.models import Agency
from wraparound.directory.models import Service
from wraparound.evaluation.catalogues import outcome_catalogue, vocabulary
from wraparound.evaluation.models import CovariateAnchor, TreatmentSource
from wraparound.evaluation.pipeline import COVARIATES

DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "govuk-input govuk-input--width-10"})
NUMBER = {"class": "govuk-input govuk-input--width-4"}


class PlanForm(forms.Form):
    title = forms.CharField(max_length=200, label="Question, in plain words")
    service = forms.ModelChoiceField(
        queryset=Service.objects.none(), label="Service (from the directory)"
    )
    treatment_source = forms.ChoiceField(
        choices=TreatmentSource.choices, label="Who counts as treated"
    )
    treatment_agency = forms.ChoiceField(choices=(), label="Agency whose records show the start")
    treatment_kind = forms.ChoiceField(choices=(), label="Event that marks the start")
    intake_start = forms.DateField(widget=DATE_WIDGET, label="Intake period: first day")
    intake_end = forms.DateField(widget=DATE_WIDGET, label="Intake period: last day")
    child_min_age = forms.IntegerField(
        min_value=0,
        max_value=25,
        label="Youngest eligible child (years)",
        widget=forms.NumberInput(attrs=NUMBER),
    )
    child_max_age = forms.IntegerField(
        min_value=0,
        max_value=25,
        label="Oldest eligible child (years)",
        widget=forms.NumberInput(attrs=NUMBER),
    )
    pre_window_days = forms.IntegerField(
        min_value=30,
        max_value=1095,
        initial=365,
        label="Covariate window before the start (days)",
        widget=forms.NumberInput(attrs=NUMBER),
    )
    covariate_anchor = forms.ChoiceField(
        choices=CovariateAnchor.choices, label="Covariate window ends"
    )
    outcome_window_days = forms.IntegerField(
        min_value=30,
        max_value=1095,
        initial=365,
        label="Outcome window after the start (days)",
        widget=forms.NumberInput(attrs=NUMBER),
    )
    outcomes = forms.MultipleChoiceField(
        choices=(), widget=forms.CheckboxSelectMultiple, label="Outcomes"
    )
    primary_outcome = forms.ChoiceField(choices=(), label="Primary outcome")
    covariates = forms.MultipleChoiceField(
        choices=(), widget=forms.CheckboxSelectMultiple, label="Covariates"
    )
    exact_on_locality = forms.BooleanField(
        required=False, initial=True, label="Match exactly on locality"
    )
    caliper_sd = forms.FloatField(
        min_value=0.01,
        max_value=1.0,
        initial=0.2,
        label="Caliper (standard deviations of the logit score)",
        widget=forms.NumberInput(attrs=NUMBER),
    )
    controls_per_treated = forms.IntegerField(
        min_value=1,
        max_value=5,
        initial=1,
        label="Comparison families per treated family",
        widget=forms.NumberInput(attrs=NUMBER),
    )
    min_group_size = forms.IntegerField(
        min_value=10,
        max_value=100_000,
        initial=50,
        label="Minimum group size",
        widget=forms.NumberInput(attrs=NUMBER),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["service"].queryset = Service.objects.order_by("name")
        fields["treatment_agency"].choices = list(Agency.objects.values_list("slug", "name"))
        fields["treatment_kind"].choices = sorted(vocabulary().kinds.items(), key=lambda kv: kv[1])
        outcome_choices = [(k, o.label) for k, o in outcome_catalogue().items()]
        fields["outcomes"].choices = outcome_choices
        fields["primary_outcome"].choices = outcome_choices
        fields["covariates"].choices = list(COVARIATES.items())
        if not self.is_bound:
            fields["covariates"].initial = list(COVARIATES)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("intake_start"), data.get("intake_end")
        if start and end and end < start:
            self.add_error("intake_end", "The intake period must end on or after its first day.")
        low, high = data.get("child_min_age"), data.get("child_max_age")
        if low is not None and high is not None and high < low:
            self.add_error("child_max_age", "The oldest age must be at least the youngest.")
        if data.get("primary_outcome") and data.get("primary_outcome") not in (
            data.get("outcomes") or []
        ):
            self.add_error("primary_outcome", "Choose a primary outcome from the outcomes ticked.")
        return data

    def plan_fields(self) -> dict[str, Any]:
        """Model fields for services.create_plan / new_version."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "service": data["service"],
            "service_name": data["service"].name,
            "treatment_source": data["treatment_source"],
            "treatment_agency": data["treatment_agency"],
            "treatment_kinds": [data["treatment_kind"]],
            "intake_start": data["intake_start"],
            "intake_end": data["intake_end"],
            "child_min_age": data["child_min_age"],
            "child_max_age": data["child_max_age"],
            "pre_window_days": data["pre_window_days"],
            "covariate_anchor": data["covariate_anchor"],
            "outcome_window_days": data["outcome_window_days"],
            "outcomes": list(data["outcomes"]),
            "primary_outcome": data["primary_outcome"],
            "covariates": list(data["covariates"]),
            "exact_fields": ["locality"] if data["exact_on_locality"] else [],
            "caliper_sd": data["caliper_sd"],
            "controls_per_treated": data["controls_per_treated"],
            "min_group_size": data["min_group_size"],
        }


def initial_from(plan: Any) -> dict[str, Any]:
    """The form's starting values for a new version of ``plan``."""
    return {
        "title": plan.title,
        "service": plan.service_id,
        "treatment_source": plan.treatment_source,
        "treatment_agency": plan.treatment_agency,
        "treatment_kind": (plan.treatment_kinds or [""])[0],
        "intake_start": plan.intake_start,
        "intake_end": plan.intake_end,
        "child_min_age": plan.child_min_age,
        "child_max_age": plan.child_max_age,
        "pre_window_days": plan.pre_window_days,
        "covariate_anchor": plan.covariate_anchor,
        "outcome_window_days": plan.outcome_window_days,
        "outcomes": plan.outcomes,
        "primary_outcome": plan.primary_outcome,
        "covariates": plan.covariates,
        "exact_on_locality": "locality" in plan.exact_fields,
        "caliper_sd": plan.caliper_sd,
        "controls_per_treated": plan.controls_per_treated,
        "min_group_size": plan.min_group_size,
    }
