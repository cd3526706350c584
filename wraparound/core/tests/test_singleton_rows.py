"""A one-row table's row is made on first use with its first values, then only locked."""

from __future__ import annotations

import pytest
from django.db import transaction

from wraparound.core.singleton_rows import locked_singleton
from wraparound.matching.models import IndexVersion

pytestmark = pytest.mark.django_db


def test_the_first_use_makes_the_row_with_its_first_values() -> None:
    with transaction.atomic():
        row = locked_singleton(IndexVersion, 1, number=0)
    assert (row.pk, row.number) == (1, 0)
    assert IndexVersion.objects.count() == 1


def test_a_later_use_locks_the_row_as_it_is_and_ignores_the_first_values() -> None:
    IndexVersion.objects.create(pk=1, number=7)
    with transaction.atomic():
        row = locked_singleton(IndexVersion, 1, number=0)
    assert row.number == 7
    assert IndexVersion.objects.count() == 1
