"""Uploaded files waiting for a data analyst to confirm their column mapping.

An upload is kept on disk (never in the database) under a random token until it is imported
or abandoned, so a rejected or abandoned upload leaves the database untouched.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
ABANDONED_AFTER = timedelta(hours=24)


class UploadNotFoundError(LookupError):
    """No staged upload with this token for this user (expired, imported or someone else's)."""


@dataclass(frozen=True)
class StagedUpload:
    token: str
    folder: Path
    file_name: str
    agency_slug: str
    dataset_kind: str
    user_id: int

    @property
    def path(self) -> Path:
        return self.folder / "upload.bin"


def staging_root() -> Path:
    root = Path(getattr(settings, "RECORDS_STAGING_DIR", settings.VAR_DIR / "records-uploads"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def discard_abandoned(*, older_than: timedelta = ABANDONED_AFTER) -> int:
    """Delete uploads nobody confirmed in time (they hold personal data); returns how many."""
    cutoff = time.time() - older_than.total_seconds()
    removed = 0
    for folder in staging_root().iterdir():
        if folder.is_dir() and TOKEN.match(folder.name) and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def stage_upload(
    *, chunks: Any, file_name: str, agency_slug: str, dataset_kind: str, user_id: int
) -> StagedUpload:
    """Write an uploaded file (an iterable of byte chunks) to a new staging folder."""
    discard_abandoned()
    token = secrets.token_urlsafe(18)
    folder = staging_root() / token
    folder.mkdir()
    try:
        with (folder / "upload.bin").open("wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
    except BaseException:  # disk full, client gone: leave no half-written personal data behind
        shutil.rmtree(folder, ignore_errors=True)
        raise
    staged = StagedUpload(
        token=token,
        folder=folder,
        file_name=Path(file_name).name[:200],
        agency_slug=agency_slug,
        dataset_kind=dataset_kind,
        user_id=user_id,
    )
    meta = {
        "file_name": staged.file_name,
        "agency_slug": agency_slug,
        "dataset_kind": dataset_kind,
        "user_id": user_id,
    }
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return staged


def staged_upload(token: str, *, user_id: int) -> StagedUpload:
    if not TOKEN.match(token):
        raise UploadNotFoundError(token)
    folder = staging_root() / token
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UploadNotFoundError(token) from exc
    if meta.get("user_id") != user_id:
        raise UploadNotFoundError(token)
    return StagedUpload(
        token=token,
        folder=folder,
        file_name=str(meta["file_name"]),
        agency_slug=str(meta["agency_slug"]),
        dataset_kind=str(meta["dataset_kind"]),
        user_id=int(meta["user_id"]),
    )


def discard(upload: StagedUpload) -> None:
    shutil.rmtree(upload.folder, ignore_errors=True)


def uploads_waiting(*, user_id: int) -> list[StagedUpload]:
    """This analyst's uploads not yet imported or abandoned, oldest first (for the home page)."""
    waiting = []
    for folder in sorted(staging_root().iterdir(), key=lambda f: f.stat().st_mtime):
        try:
            waiting.append(staged_upload(folder.name, user_id=user_id))
        except UploadNotFoundError:
            continue
    return waiting
