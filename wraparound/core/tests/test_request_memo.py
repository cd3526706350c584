"""A value remembered for one request is worked out once in it, and afresh in the next."""

from __future__ import annotations

import pytest

from wraparound.core.models import Agency
from wraparound.core.request_memo import remember, request_scope
from wraparound.core.templatetags.labels import agency_name


def test_inside_a_request_a_value_is_worked_out_once() -> None:
    calls: list[int] = []
    with request_scope():
        assert remember("k", lambda: calls.append(1) or len(calls)) == 1
        assert remember("k", lambda: calls.append(1) or len(calls)) == 1
    assert calls == [1]


def test_each_request_starts_afresh_and_outside_one_nothing_is_kept() -> None:
    values = iter(range(10))
    with request_scope():
        first = remember("k", lambda: next(values))
    with request_scope():
        second = remember("k", lambda: next(values))
    assert (first, second) == (0, 1)
    assert remember("k", lambda: next(values)) == 2
    assert remember("k", lambda: next(values)) == 3


@pytest.mark.django_db
def test_an_agency_renamed_between_two_requests_shows_its_new_name() -> None:
    agency = Agency.objects.create(slug="harbour-youth", name="Harbour Youth", kind="voluntary")
    Agency.objects.create(slug="other", name="Other", kind="voluntary")
    with request_scope():
        assert agency_name("harbour-youth") == "Harbour Youth"
        assert agency_name("other") == "Other"
        Agency.objects.filter(pk=agency.pk).update(name="Harbour Youth Trust")
        assert agency_name("harbour-youth") == "Harbour Youth"
    with request_scope():
        assert agency_name("harbour-youth") == "Harbour Youth Trust"
