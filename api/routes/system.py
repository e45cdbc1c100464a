"""Operations: health and the API's own description (OpenAPI document and docs page); metrics are
served on METRICS_PORT (`api.metrics_listener`), not here."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable
from importlib.resources import files

from aiohttp import web
from tortoise import Tortoise

from api.openapi import openapi_document
from api.routing import Reply, RouteTable
from api.schemas import HealthOut
from api.typedefs import REDIS, ROUTES

routes = RouteTable("operations")
log = logging.getLogger("smarthabit.api")
HEALTH_TIMEOUT = 2.0
DOCS_PAGE = files("api").joinpath("docs.html").read_text(encoding="utf-8")
LANDING_PAGE = files("api").joinpath("landing.html").read_text(encoding="utf-8")


def _inline_sources(page: str, tag: str) -> str:
    """CSP sources allowing exactly the page's own inline `<tag>` blocks (by their SHA-256), no others."""
    blocks = re.findall(rf"<{tag}>(.*?)</{tag}>", page, flags=re.S)
    return " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()}'"
                    for block in blocks)


# Only our own files, plus the page's own inline script and style (by hash); Swagger UI's icons are data: URLs.
DOCS_CSP = (f"default-src 'self'; script-src 'self' {_inline_sources(DOCS_PAGE, 'script')}; "
            f"style-src 'self' {_inline_sources(DOCS_PAGE, 'style')}; img-src 'self' data:; connect-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
LANDING_CSP = (f"default-src 'self'; style-src 'self' {_inline_sources(LANDING_PAGE, 'style')}; object-src 'none'; "
               "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
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


@routes.get("/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    """This document: OpenAPI 3.1, generated from the route table and its pydantic models."""
    return web.json_response(openapi_document(request.app[ROUTES]))


@routes.get("/docs", media_type="text/html")
async def docs() -> web.Response:
    """Human-readable API documentation (Swagger UI over /openapi.json, its assets served from the
    installed swagger-ui-py package: the page works offline)."""
    return web.Response(text=DOCS_PAGE, content_type="text/html", headers={"Content-Security-Policy": DOCS_CSP})


@routes.get("/", media_type="text/html")
async def landing(request: web.Request) -> web.Response:
    """A small page for a person who opens the server's address: links to the docs, health and, when
    it is served, the web app."""
    has_app = any((r.canonical or "").startswith("/app") for r in request.app.router.resources())
    return web.Response(text=LANDING_PAGE.replace("<!--app-->", APP_LINK if has_app else ""),
                        content_type="text/html", headers={"Content-Security-Policy": LANDING_CSP})
