"""Operations: health, metrics, and the API's own description (OpenAPI document and docs page)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from importlib.resources import files

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from tortoise import Tortoise

from api.openapi import openapi_document
from api.routing import Reply, RouteTable
from api.schemas import HealthOut
from api.typedefs import REDIS, ROUTES
from smarthabit.metrics import metrics_registry

routes = RouteTable("operations")
log = logging.getLogger("smarthabit.api")
HEALTH_TIMEOUT = 2.0
DOCS_PAGE = files("api").joinpath("docs.html").read_text(encoding="utf-8")
LANDING_PAGE = files("api").joinpath("landing.html").read_text(encoding="utf-8")
APP_LINK = '<li><a href="app/">Web app</a>: your habits in the browser</li>'


async def _answers(probe: str, check: Callable[[], Awaitable[object]]) -> bool:
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT):
            await check()
    except Exception as exc:  # any failure means "down"; the reason is logged, not returned
        log.warning("health check failed", extra={"probe": probe, "error": type(exc).__name__})
        return False
    return True


@routes.get("/health", statuses={200: "Everything answers", 503: "The database or the broker does not answer"})
async def health(request: web.Request) -> Reply[HealthOut]:
    """Readiness: the database answers `SELECT 1` and, when REDIS_URL is set, Redis answers PING."""
    database = await _answers("database", lambda: Tortoise.get_connection("default").execute_query("SELECT 1"))
    redis = request.app[REDIS]
    broker = "in_process" if redis is None else ("up" if await _answers("redis", redis.ping) else "down")
    ok = database and broker != "down"
    body = HealthOut(status="ok" if ok else "unavailable", database="up" if database else "down", broker=broker)
    return Reply(body, 200 if ok else 503)


@routes.get("/metrics", media_type=CONTENT_TYPE_LATEST.split(";")[0])
async def metrics() -> web.Response:
    """Prometheus metrics of the API (requests and latency by route, check-ins), over all its processes."""
    return web.Response(body=generate_latest(metrics_registry()), headers={"Content-Type": CONTENT_TYPE_LATEST})


@routes.get("/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    """This document: OpenAPI 3.1, generated from the route table and its pydantic models."""
    return web.json_response(openapi_document(request.app[ROUTES]))


@routes.get("/docs", media_type="text/html")
async def docs() -> web.Response:
    """Human-readable API documentation (Swagger UI over /openapi.json, its assets served from the
    installed swagger-ui-py package: the page works offline)."""
    return web.Response(text=DOCS_PAGE, content_type="text/html")


@routes.get("/", media_type="text/html")
async def landing(request: web.Request) -> web.Response:
    """A small page for a person who opens the server's address: links to the docs, health and, when
    it is served, the web app."""
    has_app = any((r.canonical or "").startswith("/app") for r in request.app.router.resources())
    return web.Response(text=LANDING_PAGE.replace("<!--app-->", APP_LINK if has_app else ""),
                        content_type="text/html")
