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


# The query parameters as this API reads them: ORUK types most of them as any string; this
# API accepts exactly these (anything else is a 400 naming the parameter).
EMPTY = {"type": "string", "maxLength": 0}  # an empty value is the same as leaving it out
UUID_OR_EMPTY = {"anyOf": [{"type": "string", "format": "uuid"}, EMPTY]}
PARAMETERS: dict[str, dict[str, Any]] = {
    "search": {"type": "string", "pattern": "^[^\\u0000]*$"},
    "format": {"type": "string", "enum": ["json", "ndjson", ""]},
    "page": {"anyOf": [{"type": "integer"}, EMPTY]},
    "per_page": {"anyOf": [{"type": "integer"}, EMPTY]},
    "taxonomy_term_id": UUID_OR_EMPTY,
    "taxonomy_id": UUID_OR_EMPTY,
    "organization_id": UUID_OR_EMPTY,
    "parent_id": UUID_OR_EMPTY,
    "modified_after": {"anyOf": [{"type": "string", "format": "date-time"}, EMPTY]},
    "proximity": {"type": "string", "pattern": "^[0-9]{0,9}$"},
    **{
        flag: {"anyOf": [{"type": "boolean"}, {"type": "string", "enum": ["", "0", "1"]}]}
        for flag in ("minimal", "full", "full_service", "top_only")
    },
}
MINIMAL_SERVICE_PAGE = {
    "type": "object",
    "description": "A page of services with only id and last_modified (minimal=true).",
    "required": ["total_items", "total_pages", "page_number", "contents"],
    "properties": {
        "total_items": {"type": "integer"},
        "total_pages": {"type": "integer"},
        "page_number": {"type": "integer"},
        "size": {"type": "integer"},
        "first_page": {"type": "boolean"},
        "last_page": {"type": "boolean"},
        "empty": {"type": "boolean"},
        "contents": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "string"}, "last_modified": {"type": "string"}},
            },
        },
    },
}


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
        "minimal_service_page": MINIMAL_SERVICE_PAGE,
    }
    inline = [
        parameter
        for operations in document["paths"].values()
        for operation in operations.values()
        if isinstance(operation, dict)
        for parameter in operation.get("parameters", [])
        if "name" in parameter
    ]
    for parameter in [*components.get("parameters", {}).values(), *inline]:
        if parameter.get("in") == "query" and parameter["name"] in PARAMETERS:
            parameter["schema"] = copy.deepcopy(PARAMETERS[parameter["name"]])
    ok = document["paths"]["/services"]["get"]["responses"]["200"]["content"]["application/json"]
    ok["schema"] = {"anyOf": [ok["schema"], {"$ref": "#/components/schemas/minimal_service_page"}]}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method != "get" or not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            if path != "/" and "{id}" not in path:  # format=ndjson streams one item a line
                responses["200"].setdefault("content", {})["application/x-ndjson"] = {
                    "schema": {"type": "string"}
                }
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
