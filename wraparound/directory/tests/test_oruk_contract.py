"""The ORUK API keeps the contract its own OpenAPI states: schemathesis finds no failure.

Schemathesis reads the live document (``/oruk/openapi.json``, served by the app), generates
requests for every operation (valid ones and, for the parameters, invalid ones) and checks
every answer: no server error, a status the document lists, a body matching the ORUK schema.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

pytestmark = pytest.mark.slow


from wraparound.wsgi import application  # noqa: E402 - after pytest-django set Django up

schema = schemathesis.openapi.from_wsgi("/oruk/openapi.json", application)


@pytest.fixture(autouse=True)
def _requests_keep_the_test_connection() -> Any:
    """Called through WSGI, every request ends with Django's close_old_connections, which
    drops a connection inside the test's transaction (PostgreSQL then reports it closed).
    Django's test client disconnects it in the same way for the same reason."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_oruk_operation_keeps_its_openapi_contract(
    case: Any, demo_directory: dict[str, Any]
) -> None:
    if case.operation.path == "/service_at_locations":
        # A postcode outside the directory's area, or proximity without a postcode, is a 400
        # that no OpenAPI 3.0 schema can state (it depends on the data, or on two parameters
        # together), so schema-valid requests may be refused there; every other check holds.
        case.call_and_validate(excluded_checks=[positive_data_acceptance])
    else:
        case.call_and_validate()
