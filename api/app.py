"""The API application factory: settings, resources, routes and middlewares wired in one place."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp.typedefs import Handler
from redis.asyncio import Redis

from api.conditional import etag_middleware
from api.docs import add_docs_assets
from api.errors import error_middleware
from api.idempotency import idempotency_middleware
from api.metrics_listener import metrics_listener
from api.passwords import PasswordHasher
from api.ratelimit import MemoryRateLimiter, RedisRateLimiter
from api.routes import accounts, habits, insights, integrations, system, telegram, transfer
from api.routing import add_routes
from api.security import enable_cors, secure_headers
from api.typedefs import DEPENDENCIES, LIMITER, PASSWORDS, REDIS, SETTINGS, TELEGRAM_APP
from smarthabit.config import Settings, redis_namespace
from smarthabit.logs import request_id
from smarthabit.metrics import HTTP_LATENCY, HTTP_REQUESTS
from smarthabit.orm import close_database, open_database
from smarthabit.outages import Dependencies

if TYPE_CHECKING:
    from telegram.ext import Application

log = logging.getLogger("smarthabit.api")
access_log = logging.getLogger("smarthabit.api.access")
REQUEST_ID_HEADER = "X-Request-ID"


async def _database_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    await open_database(settings.db_url, create_schema=not settings.uses_postgres)
    yield
    await close_database()


async def _close_redis(app: web.Application) -> None:
    redis = app[REDIS]
    if redis is not None:
        await redis.aclose()


def _request_id(request: web.Request) -> str:
    """The caller's X-Request-ID when it is a sane token (a proxy's id ties logs together), else a new one."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    if 8 <= len(given) <= 64 and all(c.isalnum() or c in "-_." for c in given):
        return given
    return uuid.uuid4().hex


@web.middleware
async def observe_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Give the request an id (logs and the X-Request-ID header), log one access line, and count
    requests and latency by route template (not path: ids would explode the metric labels)."""
    started = time.perf_counter()
    token = request_id.set(_request_id(request))
    try:
        response = await handler(request)  # the error middleware inside always answers
        elapsed = time.perf_counter() - started
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "unmatched"
        HTTP_REQUESTS.labels(route, request.method, str(response.status)).inc()
        HTTP_LATENCY.labels(route, request.method).observe(elapsed)
        response.headers[REQUEST_ID_HEADER] = request_id.get() or ""
        if access_log.isEnabledFor(logging.INFO):
            access_log.info("request", extra={"request_id": request_id.get(), "method": request.method, "route": route,
                                              "status": response.status, "ms": round(elapsed * 1000, 2)})
        return response
    finally:
        request_id.reset(token)


def init_app(
    settings: Settings, *, manage_database: bool = True,
    telegram_app: Application[Any, Any, Any, Any, Any, Any] | None = None,
    sub_apps: Mapping[str, web.Application] | None = None,
) -> web.Application:
    """Build the API; `manage_database=False` when the caller (tests, `run`) owns the ORM lifecycle.

    `telegram_app` (a python-telegram-bot Application built with `.updater(None)`) enables
    `POST /telegram/webhook` when TELEGRAM_WEBHOOK_SECRET is set; the composition root builds it,
    so this package never imports the bot. `sub_apps` (URL prefix -> application) are served under
    their prefixes, such as the web app at /app: the composition root builds them too."""
    app = web.Application(client_max_size=settings.max_request_bytes,
                          middlewares=[observe_middleware, error_middleware, etag_middleware, idempotency_middleware])
    app[SETTINGS] = settings
    app[DEPENDENCIES] = Dependencies(logger=logging.getLogger("smarthabit.api"))
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    app[REDIS] = redis
    app.on_cleanup.append(_close_redis)
    app[PASSWORDS] = PasswordHasher()
    # Under the deployment's namespace: two deployments (or test sessions) on one Redis never share
    # the limits of one client address.
    app[LIMITER] = (RedisRateLimiter(redis, prefix=f"{redis_namespace(settings)}:ratelimit:") if redis is not None
                    else MemoryRateLimiter())
    if manage_database:
        app.cleanup_ctx.append(_database_ctx)
    if settings.metrics_port is not None:
        app.cleanup_ctx.append(metrics_listener)
    app.on_response_prepare.append(secure_headers)
    tables = [accounts.routes, habits.routes, insights.routes, system.routes, integrations.routes, transfer.routes]
    if settings.webhook_secret and telegram_app is not None:
        app[TELEGRAM_APP] = telegram_app
        tables.append(telegram.routes)
    elif settings.webhook_secret:
        log.warning("TELEGRAM_WEBHOOK_SECRET is set but no bot was given: the webhook is not served")
    add_routes(app, tables)
    add_docs_assets(app)
    enable_cors(app)
    for prefix, sub_app in (sub_apps or {}).items():
        app.router.add_get(prefix, _redirect_to(prefix + "/"))
        app.add_subapp(prefix, sub_app)
    return app


def _redirect_to(location: str) -> Handler:
    async def redirect(request: web.Request) -> web.StreamResponse:
        raise web.HTTPPermanentRedirect(location)

    return redirect
