"""Pages for data analysts: import history, upload with mapping confirmation, reports."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from wraparound.core import check_answers as cya
from wraparound.core import jobs
from wraparound.core.access import role_required
from wraparound.core.forms import Answer
from wraparound.core.labels import dataset_label, label, mapping_field
from wraparound.core.models import Agency, Role, User
from wraparound.records.forms import UploadForm
from wraparound.records.jobs import IMPORT_EXTRACT
from wraparound.records.models import Extract
from wraparound.records.pipeline.mapping import (
    FIELDS,
    Mapping,
    MappingError,
    date_format_choices,
    event_kinds,
)
from wraparound.records.pipeline.reading import RawTable
from wraparound.records.selectors import import_history
from wraparound.records.services import (
    ImportRejectedError,
    confirm_mapping,
    import_extract,
    import_limit_bytes,
    read_for_import,
    suggest_for,
)
from wraparound.records.staging import UploadNotFoundError, discard, stage_upload, staged_upload
from wraparound.sharing.records_access import extract_warnings

ANALYSTS = (Role.DATA_ANALYST,)
SEX_WORDS = {"F": "Female", "M": "Male", "U": "Not known"}


def _analyst(request: HttpRequest) -> User:
    """The signed-in user (role_required has already let only analysts through)."""
    assert isinstance(request.user, User)
    return request.user


@role_required(*ANALYSTS)
def history(request: HttpRequest) -> HttpResponse:
    return render(request, "records/history.html", {"extracts": import_history()})


@role_required(*ANALYSTS)
def extract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    extract = get_object_or_404(Extract.objects.select_related("agency", "imported_by"), pk=pk)
    return render(
        request,
        "records/extract.html",
        {
            "extract": extract,
            "issues": extract_warnings(
                user=_analyst(request),
                extract=extract,
                request_id=getattr(request, "request_id", None),
            ),
        },
    )


@role_required(*ANALYSTS)
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        max_bytes=import_limit_bytes(),
        uploader=_analyst(request),
    )
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        staged = stage_upload(
            chunks=file.chunks(),
            file_name=file.name,
            agency_slug=form.cleaned_data["agency"].slug,
            dataset_kind=form.cleaned_data["dataset_kind"],
            user_id=_analyst(request).pk,
        )
        try:
            read_for_import(staged.path)
        except ImportRejectedError as exc:
            discard(staged)
            form.add_error("file", exc.message)
        except BaseException:
            discard(staged)  # an unexpected failure must not leave the file on disk either
            raise
        else:
            return redirect("records:confirm", token=staged.token)
    return render(
        request, "records/upload.html", {"form": form}, status=400 if form.errors else 200
    )


def _mapping_from_post(post: Any, table: RawTable, base: Mapping) -> Mapping:
    columns = {h: post.get(f"column-{i}", "ignore") for i, h in enumerate(table.headers)}
    sex = {raw: post.get(f"sex-{i}", code) for i, (raw, code) in enumerate(base.sex_values.items())}
    events = {
        raw: post.get(f"event-{i}", kind) for i, (raw, kind) in enumerate(base.event_values.items())
    }
    return Mapping(
        agency=base.agency,
        dataset=base.dataset,
        rows=post.get("rows", base.rows),
        columns=columns,
        # Each date column's format is picked from the ones its own values fit (no strftime
        # typed by hand); the dataset-wide formats stay as fallbacks for shipped mappings.
        date_format=base.date_format,
        event_date_format=base.event_date_format,
        column_formats={
            h: post[f"format-{i}"] for i, h in enumerate(table.headers) if f"format-{i}" in post
        },
        sex_values=sex,
        event_values=events,
    )


@role_required(*ANALYSTS)
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        staged = staged_upload(token, user_id=_analyst(request).pk)
    except UploadNotFoundError as exc:
        raise Http404("This upload has already been imported or has expired.") from exc
    agency = get_object_or_404(Agency, slug=staged.agency_slug)
    try:
        table = read_for_import(staged.path)
    except ImportRejectedError as exc:
        discard(staged)
        return render(
            request, "records/rejected.html", {"message": exc.message, "issues": []}, status=400
        )
    mapping = suggest_for(table, agency=agency, dataset_kind=staged.dataset_kind)
    context: dict[str, Any] = {"staged": staged, "agency": agency, "table": table}
    key = f"import-{staged.token}"
    if request.method == "GET" and (kept := cya.form_data(request, key)) is not None:
        mapping = _mapping_from_post(kept, table, mapping)  # "Change" from the check page
    if request.method == "POST":
        mapping = _mapping_from_post(request.POST, table, mapping)
        if not cya.is_confirmation(request):
            try:
                mapping.validate(event_kinds())
            except MappingError as exc:
                context["mapping_error"] = str(exc)
            else:
                return cya.check_form(request, key, _import_check(request, staged, table, mapping))
        elif staged.path.stat().st_size > settings.IMPORT_IN_BACKGROUND_FROM_BYTES:
            try:
                mapping.validate(event_kinds())
            except MappingError as exc:
                context["mapping_error"] = str(exc)
            else:  # a large file: the worker imports it, its page shows progress
                job = jobs.enqueue(
                    IMPORT_EXTRACT,
                    user=_analyst(request),
                    label=f"Import {staged.file_name}",
                    token=staged.token,
                    user_id=_analyst(request).pk,
                    mapping=mapping.as_dict(),
                )
                return redirect(jobs.page_url(job))
    if request.method == "POST" and "mapping_error" not in context:
        try:
            mapping.validate(event_kinds())
            result = import_extract(
                path=staged.path,
                agency=agency,
                dataset_kind=staged.dataset_kind,
                file_name=staged.file_name,
                mapping=mapping,
                user=_analyst(request),
            )
        except MappingError as exc:
            context["mapping_error"] = str(exc)
        except ImportRejectedError as exc:
            context.update(message=exc.message, issues=[i.as_dict() for i in exc.issues])
            return render(request, "records/rejected.html", context, status=400)
        else:
            confirm_mapping(
                agency=agency,
                dataset_kind=staged.dataset_kind,
                mapping=mapping,
                user=_analyst(request),
            )  # type: ignore[arg-type]
            cya.release(request, key)
            discard(staged)
            return redirect("records:extract", pk=result.extract.pk)
    context.update(_mapping_context(table, mapping))
    return render(
        request, "records/confirm.html", context, status=400 if "mapping_error" in context else 200
    )


def _import_check(
    request: HttpRequest, staged: Any, table: RawTable, mapping: Mapping
) -> cya.CheckPage:
    """The mapping in words, column by column, before the rows are imported."""
    change = cya.change_url(request.path)
    answers = [
        Answer("File", f"{staged.file_name}: {len(table.rows)} rows", ""),
        Answer("Each row is", "a person" if mapping.rows == "people" else "an event about a person",
               f"{change}#rows"),
    ]  # fmt: skip
    for i, header in enumerate(table.headers):
        chosen = mapping.columns.get(header, "ignore")
        words = mapping_field(chosen)
        date_format = mapping.format_for(header, event=chosen.startswith("event"))
        if date_format and chosen != "ignore":
            example = next(
                (
                    f.label
                    for f in date_format_choices([row[i] for row in table.rows[:2000]])
                    if f.code == date_format
                ),
                date_format,
            )
            words += f"; dates written {example}"
        answers.append(Answer(f"Column “{header}”", words, f"{change}#column-{i}"))
    for i, (raw, code) in enumerate(mapping.sex_values.items()):
        words = SEX_WORDS.get(code, code)
        answers.append(Answer(f"Sex written “{raw}”", words, f"{change}#sex-{i}"))
    for i, (raw, kind) in enumerate(mapping.event_values.items()):
        answers.append(Answer(f"Event written “{raw}”", label(kind, "event_kind"),
                              f"{change}#event-{i}"))  # fmt: skip
    return cya.CheckPage(
        title="Check the mapping before you import",
        caption=dataset_label(f"{staged.agency_slug}:{staged.dataset_kind}"),
        sections=[cya.Section("", answers)],
        button=f"Import {len(table.rows)} rows",
        declaration_heading="Now import the file",
        declaration="The mapping is kept for this agency's next file of the same kind. Rows "
        "with no name, date of birth or postcode are refused with the reason.",
        warning="An import cannot be undone from here: its records join the partnership's "
        "records and the next linkage run matches them.",
        back_url=change,
        back_text="Back to the column mapping",
    )


def _mapping_context(table: RawTable, mapping: Mapping) -> dict[str, Any]:
    kinds = sorted(event_kinds())
    targets = [*FIELDS, "source_id,upn", *(f"event:{k}" for k in kinds)]
    columns = []
    for i, header in enumerate(table.headers):
        chosen = mapping.columns.get(header, "ignore")
        options = targets if chosen in targets else [chosen, *targets]
        samples = [str(row[i]) for row in table.rows[:3] if row[i] not in (None, "")]
        formats = date_format_choices([row[i] for row in table.rows[:2000]])
        columns.append(
            {"index": i, "header": header, "chosen": chosen, "options": options, "samples": samples,
             "formats": formats, "format": mapping.format_for(header, event=chosen.startswith(
                 "event")) or ""}
        )  # fmt: skip
    return {
        "mapping": mapping,
        "columns": columns,
        "sex_rows": list(enumerate(mapping.sex_values.items())),
        "event_rows": list(enumerate(mapping.event_values.items())),
        "kinds": kinds,
        "sex_codes": ("F", "M", "U"),
    }
