"""Casework forms: GOV.UK-styled, each feeding one service. Validation of business rules stays
in the services (their CaseworkError messages become form errors)."""

from __future__ import annotations

from typing import Any

from django import forms

from wraparound.casework.catalogues import closure_reasons, outcome_areas
from wraparound.casework.models import ActionStatus, TransferDirection
from wraparound.core.models import Agency, Role, User
from wraparound.sharing.catalogues import catalogues
from wraparound.sharing.forms import GovukFormMixin

CASEWORK_ROLES = (Role.PRACTITIONER, Role.TEAM_MANAGER)


class DateInput(forms.DateInput):
    """A native date picker: its value must be ISO (YYYY-MM-DD) whatever the locale."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class WorkerChoiceField(forms.ModelChoiceField):
    """A worker shown as 'Name (Agency)', never a bare id."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.agency.name if obj.agency else '-'})"


def workers(agency_id: int | None = None) -> Any:
    people = User.objects.filter(
        is_active=True, role__in=CASEWORK_ROLES, agency__isnull=False
    ).select_related("agency")
    if agency_id is not None:
        people = people.filter(agency_id=agency_id)
    return people.order_by("agency__name", "last_name", "username")


class Styled(GovukFormMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class VersionedForm(Styled):
    """Carries the version the editor started from, so a stale save can be refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class OpenCaseForm(Styled):
    lead = WorkerChoiceField(queryset=User.objects.none(), label="Lead practitioner")

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = workers(agency_id)  # type: ignore[attr-defined]


class MemberForm(Styled):
    user = WorkerChoiceField(queryset=User.objects.none(), label="Worker")
    role = forms.CharField(
        max_length=100, help_text="Their part in the team, for example 'School nurse'."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = workers()  # type: ignore[attr-defined]


class LeadForm(VersionedForm):
    new_lead = WorkerChoiceField(queryset=User.objects.none(), label="New lead practitioner")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_lead"].queryset = workers()  # type: ignore[attr-defined]


class NoteForm(Styled):
    category = forms.ChoiceField(
        label="Kind of information",
        help_text="The sharing agreements decide which agencies may read notes of this kind.",
    )
    occurred_on = forms.DateField(widget=DateInput, label="Date it happened")
    body = forms.CharField(widget=forms.Textarea, label="Note")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            (code, c.label) for code, c in catalogues().categories.items()
        ]


class AmendNoteForm(Styled):
    body = forms.CharField(widget=forms.Textarea, label="Corrected text")
    reason = forms.CharField(max_length=300, label="Why the note is being amended")


def _area_fields(outcome: str, label: str) -> dict[str, forms.Field]:
    return {
        f"{outcome}__worries": forms.CharField(
            required=False, widget=forms.Textarea, label=f"{label}: what are we worried about?"
        ),
        f"{outcome}__working_well": forms.CharField(
            required=False, widget=forms.Textarea, label=f"{label}: what is working well?"
        ),
        f"{outcome}__needs_to_happen": forms.CharField(
            required=False, widget=forms.Textarea, label=f"{label}: what needs to happen?"
        ),
        f"{outcome}__is_need": forms.BooleanField(
            required=False, label=f"{label} is a need the family plan must answer"
        ),
    }


class AssessmentForm(VersionedForm):
    child_words = forms.CharField(
        required=False, widget=forms.Textarea, label="The child's own words"
    )
    parents_words = forms.CharField(
        required=False, widget=forms.Textarea, label="The parents' or carers' own words"
    )
    consent_given_by = forms.CharField(
        required=False, max_length=200, label="Consent to the assessment given by"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for outcome, label in outcome_areas().items():
            self.fields.update(_area_fields(outcome, label))
        self.style()

    def areas(self) -> dict[str, Any]:
        from wraparound.casework.plan_services import AreaAnswers

        data = self.cleaned_data
        return {
            outcome: AreaAnswers(
                worries=data.get(f"{outcome}__worries", ""),
                working_well=data.get(f"{outcome}__working_well", ""),
                needs_to_happen=data.get(f"{outcome}__needs_to_happen", ""),
                is_need=bool(data.get(f"{outcome}__is_need")),
            )
            for outcome in outcome_areas()
        }

    def area_groups(self) -> list[tuple[str, list[Any]]]:
        """(outcome label, its bound fields), for the template."""
        return [
            (
                label,
                [
                    self[f"{outcome}__{part}"]
                    for part in ("worries", "working_well", "needs_to_happen", "is_need")
                ],
            )
            for outcome, label in outcome_areas().items()
        ]


class CompleteAssessmentForm(VersionedForm):
    late_reason = forms.CharField(
        required=False,
        widget=forms.Textarea,
        label="Why is it late?",
        help_text="Needed when the assessment is completed after its 45th working day.",
    )


class ActionForm(Styled):
    outcome = forms.ChoiceField(label="Need it answers")
    description = forms.CharField(
        widget=forms.Textarea,
        label="Action",
        help_text="Specific and measurable: who does what, by when, and how you will know.",
    )
    owner = WorkerChoiceField(queryset=User.objects.none(), label="Owner")
    due_on = forms.DateField(widget=DateInput, label="Due date")

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = list(outcome_areas().items())  # type: ignore[attr-defined]
        self.fields["owner"].queryset = members  # type: ignore[attr-defined]


class ActionUpdateForm(VersionedForm):
    status = forms.ChoiceField(choices=ActionStatus.choices)
    progress_note = forms.CharField(required=False, widget=forms.Textarea, label="Progress")
    due_on = forms.DateField(widget=DateInput, label="Due date")


class ReviewForm(Styled):
    held_on = forms.DateField(widget=DateInput, label="Date of the review meeting")
    attendees = forms.CharField(
        widget=forms.Textarea,
        help_text="One per line: name and agency, or their role in the family.",
    )
    decisions = forms.CharField(widget=forms.Textarea)
    next_review_on = forms.DateField(widget=DateInput, label="Next review")


class TransferForm(Styled):
    direction = forms.ChoiceField(choices=TransferDirection.choices, widget=forms.RadioSelect)
    to_agency = forms.ModelChoiceField(queryset=Agency.objects.all(), label="Receiving agency")
    reason = forms.CharField(widget=forms.Textarea, label="Why the family needs this")


class TransferResponseForm(Styled):
    decision = forms.ChoiceField(
        choices=[("accept", "Accept"), ("decline", "Decline")], widget=forms.RadioSelect
    )
    new_lead = WorkerChoiceField(
        queryset=User.objects.none(), required=False, label="New lead (when accepting)"
    )
    note = forms.CharField(required=False, widget=forms.Textarea, label="Note (needed to decline)")

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_lead"].queryset = workers(agency_id)  # type: ignore[attr-defined]


class CloseForm(VersionedForm):
    reason = forms.ChoiceField(widget=forms.RadioSelect, label="Why is the case closing?")
    note = forms.CharField(required=False, widget=forms.Textarea, label="Closing note")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [  # type: ignore[attr-defined]
            (code, r.label) for code, r in closure_reasons().items()
        ]
        self.style()


class ReopenForm(Styled):
    lead = WorkerChoiceField(queryset=User.objects.none(), label="Lead practitioner")
    reason = forms.CharField(widget=forms.Textarea, label="Why the case is reopening")

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = workers(agency_id)  # type: ignore[attr-defined]


class HandoverForm(Styled):
    leaving = WorkerChoiceField(queryset=User.objects.none(), label="Worker who is leaving")
    to = WorkerChoiceField(queryset=User.objects.none(), label="Hand their families to")
    deactivate = forms.BooleanField(
        required=False, label="Also deactivate the leaving worker's account"
    )

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leaving"].queryset = workers(agency_id)  # type: ignore[attr-defined]
        self.fields["to"].queryset = workers(agency_id)  # type: ignore[attr-defined]


class SearchForm(Styled):
    name = forms.CharField(required=False, label="Name", help_text="First name, surname or both.")
    dob = forms.DateField(required=False, widget=DateInput, label="Date of birth")
    postcode = forms.CharField(required=False, max_length=10)
    family_id = forms.CharField(required=False, max_length=32, label="Family id (F-...)")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(k) for k in ("name", "dob", "postcode", "family_id")):
            raise forms.ValidationError("Enter a name, a date of birth, a postcode or a family id.")
        return data
