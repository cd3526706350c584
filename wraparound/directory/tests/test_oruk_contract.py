"""The ORUK API keeps the contract its own OpenAPI states: schemathesis finds no failure.

Schemathesis reads the live document (``/oruk/openapi.json``, served by the app), generates
requests for every operation (valid ones and, for the parameters, invalid ones) and checks
every answer: no server error, a status the document lists, a body matching the ORUK schema.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

pytestmark = pytest.mark.slow


from wraparound.wsgi import application  # noqa: E402 - after pytest-django set Django up

schema = schemathesis.openapi.from_wsgi("/oruk/openapi.json", application)


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
