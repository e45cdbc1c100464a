"""The API application factory: settings, resources, routes and middlewares wired in one place."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web
from tortoise import Tortoise

from api.typedefs import SETTINGS
from smarthabit.config import Settings
from smarthabit.orm import close_database, open_database


async def _database_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    await open_database(settings.db_url, create_schema=not settings.uses_postgres)
    yield
    await close_database()


async def health(request: web.Request) -> web.Response:
    """Liveness and readiness: answers 200 only when the database answers."""
    try:
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception as exc:  # any failure means "not ready"; the reason is logged, not leaked
        request.app.logger.warning("health check failed", extra={"error": type(exc).__name__})
        return web.json_response({"status": "unavailable", "database": "down"}, status=503)
    return web.json_response({"status": "ok", "database": "up"})


def init_app(settings: Settings, *, manage_database: bool = True) -> web.Application:
    """Build the API; `manage_database=False` when the caller (tests, `run`) owns the ORM lifecycle."""
    app = web.Application(client_max_size=settings.max_request_bytes)
    app[SETTINGS] = settings
    if manage_database:
        app.cleanup_ctx.append(_database_ctx)
    app.router.add_get("/health", health)
    return app
