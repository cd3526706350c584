"""Forms for uploading an extract."""

from __future__ import annotations

from typing import Any

from django import forms

from wraparound.core.models import Agency


class UploadForm(forms.Form):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.all(), to_field_name="slug", label="Agency"
    )
    dataset_kind = forms.SlugField(
        max_length=64,
        label="Dataset",
        help_text="The agency's name for this extract, in lower case, e.g. incidents or pupils.",
    )
    file = forms.FileField(label="Extract file", help_text="CSV (any encoding) or XLSX.")

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                f"The file is {upload.size / 1048576:.1f} MB; the import limit is "
                f"{self.max_bytes / 1048576:.1f} MB. Ask the agency to split the extract."
            )
        if upload.size == 0:
            raise forms.ValidationError("The file is empty (0 bytes): nothing to import.")
        return upload
