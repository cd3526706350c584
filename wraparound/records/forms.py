"""Forms for uploading an extract."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from wraparound.core.models import Agency, User


class UploadForm(forms.Form):
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        to_field_name="slug",
        label="Agency",
        help_text="Your own agency, or one that has delegated uploading to yours.",
    )
    dataset_kind = forms.SlugField(
        max_length=64,
        label="Dataset",
        help_text="The agency's name for this extract, in lower case, e.g. incidents or pupils.",
    )
    file = forms.FileField(label="Extract file", help_text="CSV (any encoding) or XLSX.")

    def __init__(self, *args: Any, max_bytes: int, uploader: User, **kwargs: Any) -> None:
        """Offer only the agencies ``uploader`` may upload for: their own, and any that has
        delegated uploading to their agency in Wraparound (``sharing.services``)."""
        from wraparound.sharing.services import agencies_uploadable_by

        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        agency = cast(forms.ModelChoiceField, self.fields["agency"])
        agency.queryset = agencies_uploadable_by(uploader)

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
