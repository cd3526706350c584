"""After an import the analyst sees that the records are not linked yet, and links them now:
a background job whose page shows progress (wraparound.core.jobs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wraparound.core.models import Job, Role
from wraparound.core.tests.factories import AgencyFactory, UserFactory
from wraparound.matching.jobs import LINK, STAGES
from wraparound.matching.models import LinkageRun
from wraparound.records.models import Extract

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst() -> Client:
    client = Client()
    client.force_login(UserFactory(role=Role.DATA_ANALYST))
    return client


def _extract() -> Extract:
    return Extract.objects.create(
        agency=AgencyFactory(slug="police"), dataset_kind="incidents", file_name="i.csv",
        sha256="1" * 64, file_format="csv", received_at=timezone.now(),
    )  # fmt: skip


def test_an_unlinked_import_offers_link_now_and_it_queues_a_linkage_job(analyst: Client) -> None:
    extract = _extract()
    page = analyst.get(reverse("records:extract", kwargs={"pk": extract.pk})).content.decode()
    assert "not in the master index yet" in page
    assert f'action="{reverse("matching:link-now")}"' in page
    response = analyst.post(reverse("matching:link-now"))
    job = Job.objects.get()
    assert job.kind == LINK
    assert job.params == {"incremental": False}, "no full run yet: the first run links everything"
    assert response.url == reverse("core:job", kwargs={"public_id": job.public_id})


def test_once_linked_the_import_says_by_which_run_and_later_runs_are_incremental(
    analyst: Client,
) -> None:
    extract = _extract()
    LinkageRun.objects.create(status=LinkageRun.Status.COMPLETE, people=12, families=5)
    page = analyst.get(reverse("records:extract", kwargs={"pk": extract.pk})).content.decode()
    assert "Linked into the master index by the linkage run of" in page
    assert "12 people in 5 families" in page
    analyst.post(reverse("matching:link-now"))
    assert Job.objects.get().params == {"incremental": True}


def test_link_now_is_a_post_only_action(analyst: Client) -> None:
    assert analyst.get(reverse("matching:link-now")).status_code == 405


def test_link_now_runs_the_linkage_in_the_background_and_its_page_shows_progress(
    settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the import's page: the job waits for the worker, then its page reads how far the
    linkage got (each stage counted) and what it made."""
    from wraparound.core import jobs
    from wraparound.matching.tests.index_builders import import_fake_county

    settings.MODEL_DIR = tmp_path / "models"
    settings.VAR_DIR = tmp_path
    user = UserFactory(role=Role.DATA_ANALYST)
    client = Client()
    client.force_login(user)
    import_fake_county()
    waiting = client.get(client.post(reverse("matching:link-now")).url)
    assert b"Waiting to start" in waiting.content
    assert b'http-equiv="refresh"' in waiting.content, "the page refreshes while it waits"
    seen: list[tuple[int, int]] = []
    reporter = jobs.progress
    job = Job.objects.get()

    def watching(public_id: Any, **kwargs: Any) -> None:
        reporter(public_id, **kwargs)
        view = jobs.status(job.public_id)
        seen.append((view.done, view.total))

    monkeypatch.setattr(jobs, "progress", watching)  # what the page reads, at each report
    assert jobs.run_queued() == 1
    assert seen == [(n, STAGES) for n in range(1, STAGES + 1)], seen
    done = client.get(jobs.page_url(job)).content.decode()
    assert f"{STAGES} of {STAGES}" in done
    assert "Linkage run" in done
    assert "people in" in done
    assert LinkageRun.objects.get().status == LinkageRun.Status.COMPLETE
