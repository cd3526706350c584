"""After an import the analyst sees that the records are not linked yet, and links them now:
a background job whose page shows progress (wraparound.core.jobs)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wraparound.core.models import Job, Role
from wraparound.core.tests.factories import AgencyFactory, UserFactory
from wraparound.matching.jobs import LINK
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
