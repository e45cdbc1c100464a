"""The one error middleware: every failure leaves the API as `{"error": {"code", "message", "details"}}`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler
from pydantic import BaseModel, Field, JsonValue

from api.typedefs import DEPENDENCIES, SETTINGS
from smarthabit.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed

log = logging.getLogger("smarthabit.api")

DOMAIN_STATUSES: tuple[tuple[type[DomainError], int], ...] = (
    (ValidationFailed, 422),
    (NotFound, 404),
    (Conflict, 409),
    (PermissionDenied, 403),
)
RETRY_AFTER_OUTAGE = 5  # seconds: about the backoff cap of the workers (smarthabit.outages)
# Headers of aiohttp's own HTTP errors that the client needs (405 says what is allowed).
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "RateLimit-Limit", "RateLimit-Remaining",
                 "RateLimit-Reset", "RateLimit-Policy")


class ErrorDetail(BaseModel):
    code: str = Field(description="stable machine-readable code, e.g. `not_found`, `validation_error`")
    message: str = Field(description="a human-readable sentence")
    details: dict[str, JsonValue] = Field(
        default_factory=dict,
        description="always an object (empty when there is nothing to add): what exactly was wrong; for "
                    "`validation_error` `errors` lists each problem as `{loc, msg, type}`")


class ErrorOut(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


class ApiError(Exception):
    """An HTTP-level failure (authentication, rate limit, malformed request) with its status."""

    def __init__(
        self, status: int, code: str, message: str, details: JsonValue = None, *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details
        self.headers = dict(headers or {})


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: Mapping[str, str] | None = None
) -> web.Response:
    body = ErrorOut(error=ErrorDetail(code=code, message=message, details=_as_object(details)))
    return web.json_response(text=body.model_dump_json(), status=status, headers=headers)


def _as_object(details: Any) -> dict[str, Any]:
    """One shape for `details`: an object, whatever the raiser passed."""
    if details is None:
        return {}
    if isinstance(details, list):  # a list of problems, as validation errors give it
        return {"errors": details}
    return details if isinstance(details, dict) else {"value": details}


def domain_status(exc: DomainError) -> int:
    """422/404/409/403 by error class; any other domain error is a plain bad request."""
    return next((status for cls, status in DOMAIN_STATUSES if isinstance(exc, cls)), 400)


def _describe(exc: web.HTTPException) -> tuple[str, str]:
    """(code, message) of one of aiohttp's HTTP errors, e.g. ("method_not_allowed", "Method Not Allowed")."""
    try:
        phrase = HTTPStatus(exc.status).phrase
    except ValueError:
        return "http_error", exc.reason
    return phrase.lower().replace(" ", "_").replace("-", "_"), phrase


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Map domain errors, API errors, aiohttp's HTTP errors and crashes to the JSON error shape.
    PostgreSQL or Redis being down is a 503 with Retry-After, logged once per outage, not per request."""
    dependencies = request.app.get(DEPENDENCIES)
    try:
        response = await handler(request)
    except ApiError as exc:
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)
    except DomainError as exc:
        return error_response(domain_status(exc), exc.code, exc.message, exc.details)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        headers = {name: exc.headers[name] for name in _KEPT_HEADERS if name in exc.headers}
        details = {"max_bytes": request.app[SETTINGS].max_request_bytes} if exc.status == 413 else None
        return error_response(exc.status, *_describe(exc), details, headers)
    except Exception as exc:
        outage = dependencies.down_because(exc) if dependencies is not None else None
        if outage is not None:
            return error_response(503, "service_unavailable", f"{outage.service} is unreachable; try again shortly",
                                  {"service": outage.service}, {"Retry-After": str(RETRY_AFTER_OUTAGE)})
        log.exception("unhandled error", extra={"method": request.method, "route": _route_of(request)})
        return error_response(500, "internal_error", "Internal server error")
    if dependencies is not None and response.status < 500:
        dependencies.served()
    return response


def _route_of(request: web.Request) -> str:
    """The route template (`/habits/{habit_id}`), which unlike the path holds no user data."""
    info = request.match_info.route.resource
    return info.canonical if info is not None else "?"
