"""The SpecTree instance behind /api/v1: request validation with plain-English 400s, and the generated OpenAPI document.

This module imports no route module: routes register themselves with `validate` and the document is built from
the URL map of the running app, so it cannot drift from what the views accept and return.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, TypeAlias, TypeVar

from flask import abort, current_app, make_response, request
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from spectree import Response, SpecTree

from app.api.schemas.common import Error
from app.errors import error_response

PREFIX = "/api/v1"
DESCRIPTION = (
    "Anonymous staff engagement. Authenticate with a session cookie (send the CSRF token in X-CSRFToken "
    "on writes; a missing or stale token is a 400) or with Authorization: Bearer <token> (no CSRF token). "
    "Without either the answer is 401. Endpoints for facilitators or change-hub leads answer 404 to anyone "
    "without that role, the same as for a conversation or item that does not exist, never 403. "
    "Bad JSON fields get a 400 naming the field; a body that is not JSON gets a 415. "
    "Responses never identify who wrote or voted."
)
ERROR_TEXT = {400: "Bad request: a field is missing or has the wrong type, or the CSRF token is missing",
              401: "Not signed in", 404: "Not found, or not yours to see", 409: "Not possible in this state",
              415: "The body is not JSON", 422: "Refused: the message says why (and `field` which field)",
              429: "Too many requests"}
READ = (401, 404)
ACT = (400, 401, 404)  # a write with no body: still a 400 for a session caller without the CSRF token
WRITE = (400, 401, 404, 409, 415, 422)
POSTING = (*WRITE, 429)


def _plain(error: ErrorDetails) -> tuple[str, str]:
    """A field name and a sentence for one pydantic error, in the words the hand-written checks used."""
    name = str(error["loc"][0]) if error["loc"] else "body"
    field = name + "".join(f"[{part}]" for part in error["loc"][1:] if isinstance(part, int))  # not union tags
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing":
        return name, f"Missing field: {name}"
    if kind in ("string_type", "str_type"):
        return name, f"The field {field!r} must be a string."
    if kind == "bool_type":
        return name, f"{field} must be true or false."
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return name, f"{field} must be a whole number."
    if kind == "greater_than_equal":
        return name, f"{field} must be {ctx['ge']} or more."
    if kind == "less_than_equal":
        return name, f"{field} must be {ctx['le']:,} or less."
    if kind == "list_type":
        return name, f"{field} must be a list."
    if kind == "string_too_long":
        return name, f"{field} must be at most {ctx.get('max_length')} characters."
    if kind == "string_too_short":
        return name, f"{field} must be at least {ctx.get('min_length')} characters."
    if kind == "literal_error":
        return name, f"{field} must be one of: {ctx.get('expected', '').replace(chr(39), '')}"
    if kind == "value_error":
        return name, f"{field} {ctx.get('error', error['msg'])}"
    return name, f"{field}: {error['msg']}"


def _before(req: Any, resp: Any, error: Exception | None, instance: Any, adapter: Any) -> None:
    """Turn spectree's validation failure into our 400 error shape, naming the first bad field."""
    if isinstance(error, ValidationError):
        field, message = _plain(error.errors(include_url=False)[0])
        body, status = error_response(400, message, field=field)
        abort(make_response(body, status))


spec = SpecTree(
    "flask", mode="strict", before=_before, validation_error_status=400, validation_error_model=Error,
    naming_strategy=lambda model: model.__name__, nested_naming_strategy=lambda _parent, child: child,
    title="Chorus API", version="1.0.0", description=DESCRIPTION, annotations=False,
)
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "An API token from your account page"},
    "session": {"type": "apiKey", "in": "cookie", "name": "session", "description": "A signed-in browser session"},
    "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken",
             "description": "With a session cookie, the CSRF token on every write (a missing one is a 400)"},
}


View = TypeVar("View", bound=Callable[..., Any])

# spectree's documented form for a status with its own description: (model, "what this status means").
Described: TypeAlias = tuple[type[BaseModel] | None, str]


def responses(ok: int | None, model: type[BaseModel] | None, errors: tuple[int, ...] = READ,
              **more: type[BaseModel] | Described | None) -> Response:
    """A spectree Response: the happy status with its model, each error status with the Error model, and `more`."""
    codes: dict[str, Any] = {f"HTTP_{code}": (Error, ERROR_TEXT[code]) for code in errors}
    if ok is not None:
        codes[f"HTTP_{ok}"] = model
    codes |= more
    return Response(**codes)


def validate(*, resp: Response, json: type[BaseModel] | None = None, query: type[BaseModel] | None = None) -> Callable:
    """Validate the JSON body and query string with pydantic models, and document the responses."""
    # spectree documents its validation status on every route; a route with nothing to validate cannot fail
    # validation, so name a status the route documents anyway rather than add a 400 it never gives.
    return spec.validate(json=json, query=query, resp=resp, validation_error_status=400 if json or query else 401)


def download(mimetype: str) -> Callable[[View], View]:
    """Mark a view whose 200 is a file of `mimetype` rather than JSON; the document says so (spectree cannot)."""

    def mark(view: View) -> View:
        view.api_download = mimetype  # type: ignore[attr-defined]  # functions take any attribute
        return view

    return mark


def takes_json(endpoint: str | None) -> bool:
    """True when the view for `endpoint` reads a JSON body through a schema."""
    view = current_app.view_functions.get(endpoint or "")
    metadata = spec.get_function_metadata(view) if view is not None else None
    return bool(metadata and metadata.json)


def require_json_object() -> None:
    """415 for a body that is not JSON, 400 for JSON that is not an object, before the schema looks at it."""
    if request.method not in ("POST", "PUT", "PATCH") or not takes_json(request.endpoint):
        return
    if not request.is_json:
        abort(415, "Send the request body as JSON with Content-Type: application/json.")
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # absurdly deep nesting; the JSON decoder gives up before `silent` can help
        data = None
    if not isinstance(data, dict):
        abort(400, "The request body is not a valid JSON object.")


def document() -> dict[str, Any]:
    """The OpenAPI document for /api/v1, built from the running app's routes and their schemas."""
    full = copy.deepcopy(spec.spec)  # spectree builds it once, from the first app's URL map (every app's is the same)
    paths = {path[len(PREFIX):]: ops for path, ops in full["paths"].items() if path.startswith(PREFIX + "/")}
    for rule in current_app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = spec.backend.parse_path(rule, None)[0][len(PREFIX):]
        for method, op in paths.get(path, {}).items():
            if method.upper() in (rule.methods or ()):  # None only for a rule that takes any method
                op["operationId"] = rule.endpoint.removeprefix("api.")
                mimetype = getattr(current_app.view_functions[rule.endpoint], "api_download", None)
                if mimetype is not None:
                    op["responses"]["200"]["content"] = {mimetype: {"schema": {"type": "string", "format": "binary"}}}
    for ops in paths.values():
        for op in ops.values():
            op.pop("tags", None)
            if not op.get("description"):
                op.pop("description", None)
    full["paths"] = paths
    full["servers"] = [{"url": PREFIX}]
    full["components"]["securitySchemes"] = SECURITY_SCHEMES
    full["security"] = [{"bearer": []}, {"session": [], "csrf": []}]
    return full


def parsed_json() -> Any:
    """The request's JSON body as its schema's model (after `validate` has checked it)."""
    return request.context.json  # type: ignore[attr-defined]  # set by spectree; not on Flask's Request


def parsed_query() -> Any:
    """The request's query string as its schema's model (after `validate` has checked it)."""
    return request.context.query  # type: ignore[attr-defined]  # set by spectree; not on Flask's Request
