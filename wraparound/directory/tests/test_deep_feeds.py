"""A JSON document nested far deeper than any feed is a clear refusal, never a server error."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from wraparound.core.models import Role
from wraparound.directory.feed import FeedError, decode_feed
from wraparound.directory.tests.test_pages import client_for

DEEP = b"[" * 100_000 + b"]" * 100_000


def test_a_feed_nested_100000_deep_is_refused_as_too_deep() -> None:
    with pytest.raises(FeedError, match="nested more than"):
        decode_feed(DEEP)


def test_a_feed_deeper_than_the_limit_but_parseable_is_refused_too() -> None:
    with pytest.raises(FeedError, match="nested more than"):
        decode_feed(b'{"a":' * 200 + b"1" + b"}" * 200)


@pytest.mark.django_db
def test_a_deeply_nested_feed_uploaded_through_the_page_is_a_400_with_the_reason() -> None:
    upload = SimpleUploadedFile("feed.json", DEEP, "application/json")
    page = client_for(Role.DATA_ANALYST).post("/directory/feed/", {"feed": upload})
    assert page.status_code == 400
    assert "nested more than" in page.content.decode()
