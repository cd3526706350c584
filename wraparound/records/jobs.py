"""Background work of the records app: importing a large confirmed upload (see core/jobs.py)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from wraparound.core import jobs
from wraparound.core.models import Agency, User
from wraparound.records.pipeline.mapping import Mapping
from wraparound.records.services import ImportRejectedError, confirm_mapping, import_extract
from wraparound.records.staging import UploadNotFoundError, discard, staged_upload

IMPORT_EXTRACT = "records.import-extract"


@jobs.register(IMPORT_EXTRACT)
def import_staged_upload(
    report: jobs.Reporter, *, token: str, user_id: int, mapping: dict[str, Any]
) -> dict[str, Any]:
    """Import a staged upload with the mapping the analyst confirmed, then discard the file.

    The staged file is discarded whatever happens: it holds personal data, and a rejected
    file is uploaded again once the agency has fixed it.
    """
    try:
        staged = staged_upload(token, user_id=user_id)
    except UploadNotFoundError as exc:
        raise jobs.JobRefusedError("The upload has expired or was already imported.") from exc
    try:
        user = User.objects.get(pk=user_id)
        agency = Agency.objects.get(slug=staged.agency_slug)
        chosen = Mapping.from_dict(mapping)
        written = 0

        def rows_written(count: int) -> None:
            nonlocal written
            written += count
            report(done=written, message="writing records")

        report(done=0, message="checking every row")
        result = import_extract(
            path=staged.path,
            agency=agency,
            dataset_kind=staged.dataset_kind,
            file_name=staged.file_name,
            mapping=chosen,
            user=user,
            progress=rows_written,
            on_total=lambda total: report(done=0, total=total, message="writing records"),
        )
        confirm_mapping(agency=agency, dataset_kind=staged.dataset_kind, mapping=chosen, user=user)
    except ImportRejectedError as exc:
        problems = "; ".join(f"row {i.row}, {i.column}: {i.reason}" for i in exc.issues[:5])
        raise jobs.JobRefusedError(f"{exc.message} {problems}".strip()) from exc
    finally:
        discard(staged)
    return {
        "url": reverse("records:extract", kwargs={"pk": result.extract.pk}),
        "summary": f"{staged.file_name}: {result.extract.record_count:,} records imported.",
    }
