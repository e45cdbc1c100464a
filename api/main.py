"""`smarthabit api`: serve the API until SIGTERM/SIGINT, finishing in-flight requests."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from aiohttp import web

from api.app import init_app
from smarthabit.config import Settings

if TYPE_CHECKING:
    from telegram.ext import Application

CleanupContext = Callable[[web.Application], AsyncIterator[None]]
log = logging.getLogger("smarthabit.api")


def run(
    settings: Settings, *, telegram_app: Application[Any, Any, Any, Any, Any, Any] | None = None,
    extra_contexts: Sequence[CleanupContext] = (), reuse_port: bool = False,
    sub_apps: Mapping[str, web.Application] | None = None,
) -> None:
    """Serve on HOST:PORT; a stop signal lets in-flight requests finish (up to 30 s).

    In webhook mode the composition root passes the bot's Application and its start/stop context;
    `reuse_port` lets several API processes listen on the same port (API_PROCESSES); `sub_apps` are
    served under their URL prefixes (the web app at /app)."""
    app = init_app(settings, telegram_app=telegram_app, sub_apps=sub_apps)
    app.cleanup_ctx.extend(extra_contexts)
    # What is loaded by now (modules, classes, the app: ~180k objects) lives as long as the process: keep
    # it out of the collector's full passes, which walked it all in 200-300 ms, a pause every request in
    # flight waited out (the p99 of GET /habits, bench/README.md).
    gc.freeze()
    web.run_app(app, host=settings.host, port=settings.port, access_log=None, shutdown_timeout=30,
                print=lambda _: log.info("api listening", extra={"host": settings.host, "port": settings.port}),
                reuse_port=reuse_port or None, loop=_event_loop())


def _event_loop() -> asyncio.AbstractEventLoop | None:
    """uvloop where it is installed (not on Windows): the loop and its transports in C serve a few
    percent more requests per core than asyncio's own (bench/README.md)."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop()
