"""The OpenAPI document, built from the registered routes and their marshmallow schemas."""
from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app

from . import bp

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "details": {"type": "array", "items": {"type": "object"}}}}},
}


def build_spec() -> dict:
    spec = APISpec(title="Care Finance Casework API", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", ERROR_SCHEMA)
    assert bp.url_prefix is not None  # /api/v1, given where bp is made
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith(bp.url_prefix) or rule.endpoint == "api.openapi":
            continue
        view = current_app.view_functions[rule.endpoint]
        real_clock = current_app.config["CASEWORK_CLOCK"] != "frozen"
        if getattr(view, "frozen_only", False) and real_clock:
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        assert rule.methods is not None  # None means any method; bp.get/bp.post name theirs
        operations = {m.lower(): _operation(view, rule) for m in rule.methods - {"HEAD", "OPTIONS"}}
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _operation(view, rule) -> dict:
    meta = getattr(view, "openapi", {})
    doc = (view.__doc__ or "").strip()
    op: dict = {"summary": doc.splitlines()[0] if doc else rule.endpoint,
                "parameters": [{"name": arg, "in": "path", "required": True,
                                "schema": {"type": "integer" if "int:" + arg in rule.rule
                                           else "string"}} for arg in sorted(rule.arguments)],
                "responses": {"default": {"description": "error",
                                          "content": {"application/json": {"schema": "Error"}}}}}
    roles = getattr(view, "required_roles", None)
    if not meta.get("public"):
        op["security"] = [{"bearer": []}]
        op["description"] = "Roles: " + (", ".join(roles) if roles else "any signed-in user")
    if "body" in meta:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": meta["body"]}}}
    elif "body_type" in meta:
        op["requestBody"] = {"required": True,
                             "content": {meta["body_type"]: {"schema": {"type": "string"}}}}
    ok: dict[str, Any] = {"description": "success"}
    if "response" in meta:
        ok["content"] = {"application/json": {"schema": meta["response"]}}
    elif "response_type" in meta:
        ok["content"] = {meta["response_type"]: {"schema": {"type": "string",
                                                            "format": "binary"}}}
    op["responses"][str(meta.get("status", 200))] = ok
    return op


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 description of this API."""
    return build_spec()
