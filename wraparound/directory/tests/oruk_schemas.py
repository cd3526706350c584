"""The ORUK 3.0 schemas from ../shared/standards, ready for jsonschema, resolved offline.

The hosted OpenAPI and schema files reference each other by absolute
``https://openreferraluk.org/specifications/3.0/schema/<name>.json`` URLs; a `referencing`
registry maps each URL to the file on disk, so validation never touches the network.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from functools import cache
from typing import Any
from urllib.parse import urlparse

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from wraparound.settings import REPO_ROOT

STANDARDS = REPO_ROOT.parent / "shared" / "standards"
ORUK_DIR = STANDARDS / "oruk" / "3.0-hosted"
SCHEMA_URL = "https://openreferraluk.org/specifications/3.0/schema/"

FORMATS = FormatChecker(formats=())


@FORMATS.checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or str(uuid.UUID(value)) == value.lower()


@FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    if isinstance(value, str):
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed.tzinfo is not None and "T" in value
    return True


@FORMATS.checks("email")
def _is_email(value: object) -> bool:
    return not isinstance(value, str) or ("@" in value and " " not in value)


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlparse(value)
    return bool(parts.scheme and parts.netloc)


@cache
def registry() -> Registry:
    resources = []
    for path in sorted((ORUK_DIR / "schema").glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(contents, default_specification=DRAFT202012)
        resources.append((SCHEMA_URL + path.name, resource))
    return Registry().with_resources(resources)


@cache
def openapi() -> dict[str, Any]:
    return json.loads((ORUK_DIR / "openapi.json").read_text(encoding="utf-8"))


def validator(schema_name: str) -> Draft202012Validator:
    """A validator for one schema file (e.g. ``service_list.json``), its $refs resolved on disk."""
    schema = {"$ref": SCHEMA_URL + schema_name}
    return Draft202012Validator(schema, registry=registry(), format_checker=FORMATS)


def page_validator() -> Draft202012Validator:
    """The OpenAPI document's own ``Page`` schema (it requires ``empty``)."""
    return Draft202012Validator(openapi()["components"]["schemas"]["Page"], format_checker=FORMATS)


def response_schema(path: str) -> str:
    """The schema file the OpenAPI document names for a 200 answer of ``GET path``."""
    content = openapi()["paths"][path]["get"]["responses"]["200"]["content"]
    return content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]


def problems(instance: Any, schema_name: str) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in validator(schema_name).iter_errors(instance)
    ]
