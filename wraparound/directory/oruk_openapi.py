"""The ORUK API's own OpenAPI document: the ORUK 3.0 one, made exact for this API.

The ORUK 3.0 OpenAPI (copied unchanged into ``catalogues/oruk-3.0/``) lists only the 200 of
each endpoint and refers to its schemas by absolute web addresses. A client or a contract
tester reading it should see every answer this API gives and resolve every schema offline, so
this module bundles the schema files into ``components/schemas`` and adds the 400 (a bad query
parameter, naming it) and 404 (no such id) answers. Served at ``/oruk/openapi.json``.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

SOURCE = Path(__file__).resolve().parent / "catalogues" / "oruk-3.0"
SCHEMA_URL = "https://openreferraluk.org/specifications/3.0/schema/"
ERROR_SCHEMA = {
    "type": "object",
    "description": "Why the request was refused.",
    "required": ["status", "reason"],
    "properties": {
        "status": {"type": "integer"},
        "reason": {"type": "string"},
        "parameter": {"type": "string", "description": "the query parameter at fault"},
    },
}


def _local_refs(node: Any) -> Any:
    """Point every ``$ref`` at a schema file to its bundled copy in ``components/schemas``."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in {"$schema", "$id"}:
                continue  # JSON Schema document keys, not part of an OpenAPI schema object
            if key == "$ref" and isinstance(value, str):
                if not value:
                    continue  # one upstream file has an empty $ref: it means "anything"
                if value.startswith(SCHEMA_URL):
                    name, _, fragment = value.removeprefix(SCHEMA_URL).partition("#")
                    value = f"#/components/schemas/{name.removesuffix('.json')}{fragment}"
            out[key] = _local_refs(value)
        return out
    if isinstance(node, list):
        return [_local_refs(item) for item in node]
    return node


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/error"}}},
    }


@cache
def _document() -> dict[str, Any]:
    document = json.loads((SOURCE / "openapi.json").read_text(encoding="utf-8"))
    schemas = {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((SOURCE / "schema").glob("*.json"))
    }
    document = _local_refs(document)
    components = document.setdefault("components", {})
    components["schemas"] = {
        **_local_refs(schemas),
        **components.get("schemas", {}),
        "error": ERROR_SCHEMA,
    }
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method != "get" or not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            if path != "/":
                responses["400"] = _error_response(
                    "A query parameter is not valid; `parameter` names it and `reason` says why."
                )
            if "{id}" in path:
                responses["404"] = _error_response("There is no record with this id.")
    return document


def openapi_document(*, server_url: str) -> dict[str, Any]:
    """The document, with this server's address for the API's root."""
    document = copy.deepcopy(_document())
    document["servers"] = [{"url": server_url, "description": "This Wraparound's directory"}]
    return document
