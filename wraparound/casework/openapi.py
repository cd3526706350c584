"""The plans API described as OpenAPI 3.1 (served at /api/casework/openapi.json).

Kept beside the views it describes; a test checks every path here is a real URL and every
casework API URL is described, so the document cannot drift.
"""

from __future__ import annotations

from typing import Any

_PROBLEM = {"$ref": "#/components/schemas/Problem"}


def _responses(*codes: int, ok: dict[str, Any] | None = None) -> dict[str, Any]:
    reasons = {
        400: "Bad input: the reason says which field and why",
        403: "Refused: your role, or no need to know this family (the reason says which)",
        404: "No case, plan or action you may see",
        409: "Stale version: someone saved first; `changes` lists what differs",
    }
    out: dict[str, Any] = {}
    if ok:
        out.update(ok)
    for code in codes:
        out[str(code)] = {
            "description": reasons[code],
            "content": {"application/json": {"schema": _PROBLEM}},
        }
    return out


_FAMILY = {"name": "family_public_id", "in": "path", "required": True, "schema": {"type": "string"}}
_PURPOSE = {
    "name": "purpose",
    "in": "query",
    "schema": {
        "type": "string",
        "enum": ["early_help_coordination", "safeguarding", "case_management"],
        "default": "early_help_coordination",
    },
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Wraparound family plans API",
        "version": "1.0",
        "description": (
            "Read a family's plan and keep its actions up to date. Every read passes the "
            "sharing policy for the purpose given and is audited. Authentication: the "
            "signed-in session; unsafe methods need the CSRF token."
        ),
    },
    "paths": {
        "/api/casework/plans/{family_public_id}/": {
            "parameters": [_FAMILY, _PURPOSE],
            "get": {
                "summary": "The family's plan, as the sharing policy lets you see it",
                "responses": _responses(
                    400,
                    403,
                    404,
                    ok={
                        "200": {
                            "description": "The plan (or null with plan_withheld true)",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Plan"}
                                }
                            },
                        }
                    },
                ),
            },
            "post": {
                "summary": "Add a SMART action for a need, owned by a team member",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/NewAction"}}
                    },
                },
                "responses": _responses(
                    400,
                    403,
                    404,
                    ok={
                        "201": {
                            "description": "The action added",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Action"}
                                }
                            },
                        }
                    },
                ),
            },
        },
        "/api/casework/plans/{family_public_id}/actions/{action_id}/": {
            "parameters": [
                _FAMILY,
                _PURPOSE,
                {
                    "name": "action_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                },
            ],
            "patch": {
                "summary": "Update an action (its owner or the lead); names the version you read",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/ActionUpdate"}
                        }
                    },
                },
                "responses": _responses(
                    400,
                    403,
                    404,
                    409,
                    ok={"200": {"description": "Saved: the new status and version"}},
                ),
            },
        },
        "/api/casework/openapi.json": {
            "get": {
                "summary": "This document",
                "responses": {"200": {"description": "OpenAPI 3.1"}},
            }
        },
    },
    "components": {
        "schemas": {
            "Problem": {
                "type": "object",
                "required": ["status", "reason"],
                "properties": {
                    "status": {"type": "integer"},
                    "reason": {"type": "string"},
                    "changes": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "field": {"type": "string"},
                                "saved": {"type": "string"},
                                "yours": {"type": "string"},
                            },
                        },
                    },
                },
            },
            "Action": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "need": {"type": "string", "description": "Outcome key (outcomes.yaml)"},
                    "description": {"type": "string"},
                    "owner": {
                        "type": "object",
                        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                    },
                    "owner_agency": {"type": "string"},
                    "due_on": {"type": "string", "format": "date"},
                    "status": {
                        "type": "string",
                        "enum": ["not_started", "in_progress", "done", "dropped"],
                    },
                    "progress_note": {"type": "string"},
                    "version": {"type": "integer"},
                    "overdue": {"type": "boolean"},
                },
            },
            "NewAction": {
                "type": "object",
                "required": ["need", "description", "owner_id", "due_on"],
                "properties": {
                    "need": {"type": "string"},
                    "description": {"type": "string"},
                    "owner_id": {"type": "integer"},
                    "due_on": {"type": "string", "format": "date"},
                },
            },
            "ActionUpdate": {
                "type": "object",
                "required": ["version"],
                "properties": {
                    "version": {"type": "integer"},
                    "status": {
                        "type": "string",
                        "enum": ["not_started", "in_progress", "done", "dropped"],
                    },
                    "progress_note": {"type": "string"},
                    "due_on": {"type": "string", "format": "date"},
                },
            },
            "Plan": {
                "type": "object",
                "properties": {
                    "family": {"type": "string"},
                    "case_status": {"type": ["string", "null"]},
                    "lead": {"type": ["string", "null"]},
                    "plan_withheld": {"type": "boolean"},
                    "actions_withheld": {"type": "integer"},
                    "plan": {
                        "type": ["object", "null"],
                        "properties": {
                            "version": {"type": "integer"},
                            "complete": {"type": "boolean"},
                            "needs_without_action": {"type": "array", "items": {"type": "string"}},
                            "next_review_on": {"type": ["string", "null"], "format": "date"},
                            "actions": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/Action"},
                            },
                        },
                    },
                },
            },
        }
    },
}
