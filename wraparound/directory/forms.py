"""Forms for the directory pages: searching services, viewing the map, loading a feed."""

from __future__ import annotations

from django import forms

from wraparound.core.geography import load_geography
from wraparound.directory.map_data import DEFAULT_REACH_MAX_KM
from wraparound.directory.vocabulary import outcome_labels


def _need_choices(blank: str | None) -> list[tuple[str, str]]:
    choices = list(outcome_labels().items())
    return [("", blank), *choices] if blank else choices


class ServiceSearchForm(forms.Form):
    q = forms.CharField(label="Name or description contains", required=False, max_length=100)
    need = forms.ChoiceField(label="Need", required=False, choices=())
    locality = forms.ChoiceField(label="Locality", required=False, choices=())
    age = forms.IntegerField(
        label="Age of the person (years)",
        required=False,
        min_value=0,
        max_value=120,
        error_messages={"invalid": "Enter the age as a whole number of years, like 7"},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["need"].choices = _need_choices("Any need")  # type: ignore[attr-defined]
        localities = [(loc, loc) for loc in load_geography().localities]
        self.fields["locality"].choices = [("", "Anywhere"), *localities]  # type: ignore[attr-defined]


class MapForm(forms.Form):
    need = forms.ChoiceField(label="Need", required=False, choices=())
    max_km = forms.FloatField(
        label="Reach limit (km)",
        required=False,
        min_value=0.5,
        max_value=100,
        error_messages={"invalid": "Enter the reach limit as a number of kilometres, like 8"},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["need"].choices = _need_choices(None)  # type: ignore[attr-defined]

    def need_or_default(self) -> str:
        need = self.cleaned_data.get("need") if self.is_valid() else None
        return need or next(iter(outcome_labels()))

    def max_km_or_default(self) -> float:
        value = self.cleaned_data.get("max_km") if self.is_valid() else None
        return float(value) if value else DEFAULT_REACH_MAX_KM


class OverlapForm(forms.Form):
    at_least = forms.IntegerField(
        label="Services offering the same thing (at least)",
        required=False,
        min_value=2,
        max_value=20,
        error_messages={"invalid": "Enter a whole number from 2 to 20"},
    )


class FeedUploadForm(forms.Form):
    feed = forms.FileField(
        label="ORUK 3.0 JSON feed",
        error_messages={"required": "Choose a JSON feed file to import"},
    )
