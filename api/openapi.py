"""The OpenAPI 3.1 document, written from the app's route table and the pydantic models it validates with."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

from api.errors import ErrorOut
from api.routing import Route
from smarthabit import __version__

REF = "#/components/schemas/{model}"
WALL_TIME_PATTERN = r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?$"  # what pydantic reads as a time
SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                   "description": "An access token from `POST /users/login` or `POST /auth/refresh`."},
    "telegramSecret": {"type": "apiKey", "in": "header", "name": "X-Telegram-Bot-Api-Secret-Token",
                       "description": "The secret given to Telegram's setWebhook (TELEGRAM_WEBHOOK_SECRET)."},
}
RESPONSE_HEADERS = {
    401: {"WWW-Authenticate": {"description": "the Bearer challenge", "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "seconds to wait", "required": True, "schema": {"type": "integer"}},
          "RateLimit-Limit": {"description": "requests allowed in the window", "schema": {"type": "integer"}},
          "RateLimit-Remaining": {"description": "requests left in the window", "schema": {"type": "integer"}},
          "RateLimit-Reset": {"description": "seconds until the window resets", "schema": {"type": "integer"}}},
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"},
    "description": "Send the same key again (within 24 h) to get the first answer instead of acting twice.",
    "example": "3f1c9a2e-7b8d-4c61-9d0e-2a5b6c7d8e9f",
}
IF_NONE_MATCH = {
    "name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"},
    "description": "The `ETag` of an earlier answer: 304 without a body when nothing changed.",
}
DESCRIPTION = """\
The SmartHabit REST API. Sign up with `POST /users/register` (or log in with `POST /users/login`) and send
the access token as `Authorization: Bearer <token>`. Access tokens last 15 minutes; trade the refresh
token for a new pair at `POST /auth/refresh`.

Bodies are JSON, sent as `Content-Type: application/json` (415 otherwise). Every error is
`{"error": {"code", "message", "details"}}`, `details` always an object. Dates are `YYYY-MM-DD` in the
user's time zone; instants are ISO 8601 with an offset; local times of day are `HH:MM`. Another account's
habit answers 404. `DELETE /habits/{habit_id}` deletes a habit with its history; `POST .../archive`
keeps it. Login is throttled per (email, client address) and per address with growing delays (429).
"""


class _JsonSchema(GenerateJsonSchema):
    def time_schema(self, schema: core_schema.TimeSchema) -> JsonSchemaValue:
        """Times here are local wall-clock times ("07:30"): JSON Schema's `time` format would demand an offset."""
        return {"type": "string", "pattern": WALL_TIME_PATTERN, "examples": ["07:30"]}


def openapi_document(routes: Iterable[Route]) -> dict[str, Any]:
    routes = list(routes)
    refs, components = _schemas(routes)
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, refs, components)
    for route in routes:  # parameter models live inline in their operations, not as components
        for location in ("path", "query"):
            if location in route.inputs:
                components.pop(_name(refs[route.inputs[location], "validation"]), None)
    return {
        "openapi": "3.1.0",
        "info": {"title": "SmartHabit API", "version": __version__, "description": DESCRIPTION},
        "tags": [{"name": tag} for tag in dict.fromkeys(route.tag for route in routes)],
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": SECURITY_SCHEMES},
    }


def _schemas(routes: list[Route]) -> tuple[dict[tuple[type[BaseModel], JsonSchemaMode], Any], dict[str, Any]]:
    """JSON Schemas of every model in use, in one namespace: inputs as validated, outputs as serialized."""
    wanted: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {(ErrorOut, "serialization"): None}
    for route in routes:
        for model in route.inputs.values():
            wanted[model, "validation"] = None
        if route.response is not None:
            wanted[route.response, "serialization"] = None
    refs, definitions = models_json_schema(list(wanted), ref_template=REF, schema_generator=_JsonSchema)
    return refs, definitions.get("$defs", {})


def _name(ref: dict[str, str]) -> str:
    return ref["$ref"].rsplit("/", 1)[1]


def _operation(route: Route, refs: dict[tuple[type[BaseModel], JsonSchemaMode], Any],
               components: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": route.handler.__name__, "summary": route.summary, "tags": [route.tag],
    }
    if route.description:
        operation["description"] = route.description
    parameters = [
        parameter
        for location in ("path", "query") if location in route.inputs
        for parameter in _parameters(components[_name(refs[route.inputs[location], "validation"])], location)
    ]
    if route.authenticated and route.method == "POST":
        parameters.append(IDEMPOTENCY_KEY)
    if route.method == "GET":
        parameters.append(IF_NONE_MATCH)
    if parameters:
        operation["parameters"] = parameters
    if route.upload is not None:
        operation["requestBody"] = dict(route.upload)
    if "body" in route.inputs:
        schema = components[_name(refs[route.inputs["body"], "validation"])]
        content: dict[str, Any] = {"schema": refs[route.inputs["body"], "validation"]}
        if schema.get("examples"):
            content["example"] = schema["examples"][0]
        operation["requestBody"] = {"required": bool(schema.get("required") or schema.get("minProperties")),
                                    "content": {"application/json": content}}
    if route.security is not None:
        operation["security"] = [{route.security: []}]
    responses: dict[str, Any] = {}
    for status, meaning in route.statuses.items():
        responses[str(status)] = _success(route, status, meaning, refs)
    if route.method == "GET":
        responses["304"] = {"description": "Not modified: the `If-None-Match` tag is still current"}
    errors = dict(route.errors)
    if route.authenticated and route.method == "POST":
        errors.setdefault(409, "A request with this Idempotency-Key is still running")
        errors.setdefault(422, "Invalid Idempotency-Key, or one used for a different request")
    error_ref = refs[ErrorOut, "serialization"]
    for status, meaning in sorted(errors.items()):
        response = {"description": meaning, "content": {"application/json": {"schema": error_ref}}}
        if status in RESPONSE_HEADERS:
            response["headers"] = RESPONSE_HEADERS[status]
        responses[str(status)] = response
    operation["responses"] = responses
    return operation


def _success(
    route: Route, status: int, meaning: str, refs: dict[tuple[type[BaseModel], JsonSchemaMode], Any]
) -> dict[str, Any]:
    if status == 204:
        return {"description": meaning}
    if route.response is not None:
        schema = refs[route.response, "serialization"]
    elif route.media_type.startswith("application/json"):
        schema = {"type": "object"}  # a document passed through as is (the OpenAPI document itself)
    else:
        schema = {"type": "string"}
    media_types = [media_type.strip() for media_type in route.media_type.split(",")]
    return {"description": meaning, "content": {media_type: {"schema": schema} for media_type in media_types}}


def _parameters(schema: dict[str, Any], location: str) -> list[dict[str, Any]]:
    required = set(schema.get("required", ()))
    parameters = []
    for name, field in schema.get("properties", {}).items():
        schema = _not_null({k: v for k, v in field.items() if k not in ("title", "description")})
        parameter: dict[str, Any] = {"name": name, "in": location, "required": location == "path" or name in required,
                                     "schema": schema}
        if "description" in field:
            parameter["description"] = field["description"]
        parameters.append(parameter)
    return parameters


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A URL cannot carry null: an optional parameter is left out instead, so only its other type is shown."""
    variants = schema.get("anyOf", [])
    if len(variants) != 2 or {"type": "null"} not in variants:
        return schema
    rest = {key: value for key, value in schema.items() if key != "anyOf" and not (key == "default" and value is None)}
    return {**next(variant for variant in variants if variant != {"type": "null"}), **rest}
