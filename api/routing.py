"""Routes declared once: the declaration validates requests, renders responses and writes OpenAPI.

A handler is a plain async function whose keyword parameters say what it needs:

- `user: User` - the authenticated account; the route then requires a bearer access token;
- `user_id: int` - the authenticated account's id, for hot paths whose own query is scoped by it
  (no read of the account; a deleted account's token then finds nothing: 404);
- `path`, `query`, `body` - pydantic models validated from the URL, the query string and the JSON body;
- `request: web.Request` - for the app state or the client address.

Its return annotation is the response model, `Reply[Model]` when it picks one of several statuses,
`Rendered[Model]` when it encodes the body itself,
`None` for 204 No Content, or `web.Response` for the few routes that are not JSON (the docs page).
Because the same annotations drive validation, rendering and the OpenAPI document, the document
cannot drift from the code.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar, get_args, get_origin, get_type_hints

from aiohttp import web
from pydantic import BaseModel, ValidationError

from api.auth import authenticate, request_user_id
from api.errors import ApiError
from api.typedefs import ROUTES

M = TypeVar("M", bound=BaseModel)
Guard = Callable[[web.Request], Awaitable[None]]
Handler = Callable[..., Awaitable[Any]]
Decorator = Callable[[Handler], Handler]
_INPUTS = ("path", "query", "body")


@dataclass(frozen=True, slots=True)
class Reply(Generic[M]):
    """A response body with the status the handler chose among the route's documented ones."""

    body: M
    status: int


@dataclass(frozen=True, slots=True)
class Rendered(Generic[M]):
    """A body already encoded as `M`'s JSON, for hot reads that skip building models (the document still
    says `M`; `tests/api/test_schemathesis.py` checks the answers against it)."""

    json: bytes


@dataclass(frozen=True, slots=True)
class Route:
    """One operation: what it reads, what it answers, and how it is documented."""

    method: str
    path: str
    handler: Handler
    tag: str
    statuses: Mapping[int, str]  # success statuses and what each means; the first is the default
    errors: Mapping[int, str]  # error statuses this operation can answer
    response: type[BaseModel] | None = None
    media_type: str = "application/json"
    inputs: Mapping[str, type[BaseModel]] = field(default_factory=dict)  # "path"/"query"/"body" -> model
    authenticated: bool = False
    wants_user: bool = False  # the account itself, not only its id
    wants_request: bool = False
    guard: Guard | None = None
    security: str | None = None  # the OpenAPI security scheme that protects it
    upload: Mapping[str, Any] | None = None  # OpenAPI requestBody of a body the handler streams itself

    @property
    def status(self) -> int:
        return next(iter(self.statuses))

    @property
    def summary(self) -> str:
        return _docstring(self.handler)[0]

    @property
    def description(self) -> str:
        return _docstring(self.handler)[1]


def _docstring(handler: Handler) -> tuple[str, str]:
    """The handler's docstring as (first line, rest): the operation's summary and description."""
    summary, _, description = (inspect.getdoc(handler) or handler.__name__).partition("\n")
    return summary, description.strip()


# What each error status means when a route does not say more.
ERROR_MEANINGS = {
    400: "Malformed request: the body is not valid JSON",
    415: "The body is not sent as `Content-Type: application/json`",
    401: "Missing, invalid or expired access token",
    403: "Forbidden",
    404: "No such resource, or it belongs to another account",
    409: "Conflict with the current state",
    413: "Request body larger than the limit",
    422: "Invalid input: `details.errors` lists each problem with its location",
    429: "Too many attempts: retry after `Retry-After` seconds",
    500: "Unexpected server error (logged; no details are exposed)",
    503: "A dependency is unavailable",
}


class RouteTable:
    """Collects the routes of one part of the API (one OpenAPI tag)."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.routes: list[Route] = []

    def get(self, path: str, **options: Any) -> Decorator:
        return self.route("GET", path, **options)

    def post(self, path: str, **options: Any) -> Decorator:
        return self.route("POST", path, **options)

    def patch(self, path: str, **options: Any) -> Decorator:
        return self.route("PATCH", path, **options)

    def delete(self, path: str, **options: Any) -> Decorator:
        return self.route("DELETE", path, **options)

    def route(
        self, method: str, path: str, *, status: int | None = None, statuses: Mapping[int, str] | None = None,
        errors: Mapping[int, str] | None = None, guard: Guard | None = None, security: str | None = None,
        media_type: str = "application/json", upload: Mapping[str, Any] | None = None,
    ) -> Decorator:
        """Register `handler` for `method path`; `statuses` documents alternatives a `Reply` may pick."""

        def register(handler: Handler) -> Handler:
            route = _build(self.tag, method, path, handler, status, statuses or {}, errors or {}, guard, security,
                           media_type)
            self.routes.append(replace(route, upload=upload) if upload is not None else route)
            return handler

        return register


def _build(
    tag: str, method: str, path: str, handler: Handler, status: int | None,
    statuses: Mapping[int, str], extra_errors: Mapping[int, str], guard: Guard | None, security: str | None,
    media_type: str,
) -> Route:
    hints = get_type_hints(handler)
    params = set(inspect.signature(handler).parameters)
    unknown = params - {"user", "user_id", "request", *_INPUTS}
    if unknown:
        raise TypeError(f"{handler.__name__}: unknown handler parameters {sorted(unknown)}")
    if {"user", "user_id"} <= params:
        raise TypeError(f"{handler.__name__}: take `user` or `user_id`, not both (`user.id` is there)")
    inputs = {name: hints[name] for name in _INPUTS if name in params}
    returned = hints.get("return")
    response: type[BaseModel] | None = None
    if get_origin(returned) in (Reply, Rendered):
        response = get_args(returned)[0]
    elif isinstance(returned, type) and issubclass(returned, BaseModel):
        response = returned
    elif returned is type(None):
        status = status or 204
    elif not (isinstance(returned, type) and issubclass(returned, web.StreamResponse)):
        raise TypeError(f"{handler.__name__}: unsupported return annotation {returned!r}")
    status = status or 200
    authenticated = bool({"user", "user_id"} & params)
    # The errors that come with what the route reads, then its own.
    implied = {401: authenticated, 400: "body" in inputs, 404: "path" in inputs, 413: "body" in inputs,
               415: "body" in inputs, 422: bool(inputs)}
    errors = {code: ERROR_MEANINGS[code] for code, applies in implied.items() if applies}
    errors.update(extra_errors)
    if authenticated:
        security = security or "bearerAuth"
    errors[500] = ERROR_MEANINGS[500]
    return Route(
        method=method, path=path, handler=handler, tag=tag,
        statuses={status: statuses.get(status, _docstring(handler)[0]), **statuses},
        errors=dict(sorted(errors.items())), response=response, media_type=media_type, inputs=inputs,
        authenticated=authenticated, wants_user="user" in params, wants_request="request" in params, guard=guard,
        security=security,
    )


def add_routes(app: web.Application, tables: Iterable[RouteTable]) -> None:
    """Serve the tables' routes on `app` and keep them for the OpenAPI document."""
    routes = tuple(route for table in tables for route in table.routes)
    for route in routes:
        app.router.add_route(route.method, route.path, _endpoint(route), name=route.handler.__name__)
    app[ROUTES] = routes


def _endpoint(route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def endpoint(request: web.Request) -> web.StreamResponse:
        if route.guard is not None:
            await route.guard(request)
        kwargs: dict[str, Any] = {}
        if route.authenticated:
            if route.wants_user:
                kwargs["user"] = await authenticate(request)
            else:
                kwargs["user_id"] = await request_user_id(request)
        if "path" in route.inputs:
            kwargs["path"] = _validate(route.inputs["path"], dict(request.match_info), "path")
        if "query" in route.inputs:
            kwargs["query"] = _validate(route.inputs["query"], dict(request.query), "query")
        if "body" in route.inputs:
            kwargs["body"] = await _read_body(request, route.inputs["body"])
        if route.wants_request:
            kwargs["request"] = request
        return _render(route, await route.handler(**kwargs))

    return endpoint


def _validate(model: type[M], data: Mapping[str, str], location: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _invalid(exc, location) from None


async def _read_body(request: web.Request, model: type[M]) -> M:
    """Parse the JSON body (an empty body is `{}`); another media type is 415, bad JSON 400, invalid
    content 422.

    Strict: JSON types must be the documented ones (`0` is not `false`, `false` is not a number)."""
    raw = await request.read()  # raises 413 past the app's client_max_size
    if raw.strip() and request.content_type != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send the body as application/json",
                       {"content_type": request.content_type})
    try:
        return model.model_validate_json(raw if raw.strip() else b"{}", strict=True)
    except ValidationError as exc:
        problems = exc.errors(include_url=False, include_input=False, include_context=False)
        if any(problem["type"] == "json_invalid" for problem in problems):
            raise ApiError(400, "malformed_json", "The request body is not valid JSON",
                           {"error": problems[0]["msg"]}) from None
        raise _invalid(exc, "body") from None


def _invalid(exc: ValidationError, location: str) -> ApiError:
    errors = [
        {"loc": [location, *problem["loc"]], "msg": problem["msg"], "type": problem["type"]}
        for problem in exc.errors(include_url=False, include_input=False, include_context=False)
    ]
    return ApiError(422, "validation_error", "Invalid input", {"errors": errors})


def _render(route: Route, result: Any) -> web.StreamResponse:
    if isinstance(result, web.StreamResponse):
        return result
    if result is None:
        return web.Response(status=route.status)
    if isinstance(result, Rendered):
        return web.Response(body=result.json, status=route.status, content_type="application/json", charset="utf-8")
    status = route.status
    if isinstance(result, Reply):
        status, result = result.status, result.body
    return web.Response(text=result.model_dump_json(by_alias=True), status=status, content_type="application/json")
