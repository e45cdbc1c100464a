"""The API application factory: settings, resources, routes and middlewares wired in one place."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp.typedefs import Handler
from redis.asyncio import Redis

from api.errors import error_middleware
from api.passwords import PasswordHasher
from api.ratelimit import MemoryRateLimiter, RedisRateLimiter
from api.routes import accounts, habits, insights, system, telegram
from api.routing import add_routes
from api.typedefs import LIMITER, PASSWORDS, REDIS, SETTINGS, TELEGRAM_APP
from smarthabit.config import Settings
from smarthabit.metrics import HTTP_LATENCY, HTTP_REQUESTS
from smarthabit.orm import close_database, open_database

if TYPE_CHECKING:
    from telegram.ext import Application

log = logging.getLogger("smarthabit.api")


async def _database_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    await open_database(settings.db_url, create_schema=not settings.uses_postgres)
    yield
    await close_database()


async def _close_redis(app: web.Application) -> None:
    redis = app[REDIS]
    if redis is not None:
        await redis.aclose()


@web.middleware
async def metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count requests and their latency by route template (not path: ids would explode the labels)."""
    started = time.perf_counter()
    response = await handler(request)  # the error middleware inside always answers
    resource = request.match_info.route.resource
    route = resource.canonical if resource is not None else "unmatched"
    HTTP_REQUESTS.labels(route, request.method, str(response.status)).inc()
    HTTP_LATENCY.labels(route, request.method).observe(time.perf_counter() - started)
    return response


def init_app(
    settings: Settings, *, manage_database: bool = True,
    telegram_app: Application[Any, Any, Any, Any, Any, Any] | None = None,
) -> web.Application:
    """Build the API; `manage_database=False` when the caller (tests, `run`) owns the ORM lifecycle.

    `telegram_app` (a python-telegram-bot Application built with `.updater(None)`) enables
    `POST /telegram/webhook` when TELEGRAM_WEBHOOK_SECRET is set; the composition root builds it,
    so this package never imports the bot."""
    app = web.Application(client_max_size=settings.max_request_bytes,
                          middlewares=[metrics_middleware, error_middleware])
    app[SETTINGS] = settings
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    app[REDIS] = redis
    app.on_cleanup.append(_close_redis)
    app[PASSWORDS] = PasswordHasher()
    app[LIMITER] = RedisRateLimiter(redis) if redis is not None else MemoryRateLimiter()
    if manage_database:
        app.cleanup_ctx.append(_database_ctx)
    tables = [accounts.routes, habits.routes, insights.routes, system.routes]
    if settings.webhook_secret and telegram_app is not None:
        app[TELEGRAM_APP] = telegram_app
        tables.append(telegram.routes)
    elif settings.webhook_secret:
        log.warning("TELEGRAM_WEBHOOK_SECRET is set but no bot was given: the webhook is not served")
    add_routes(app, tables)
    return app
