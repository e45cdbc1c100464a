"""`smarthabit api`: serve the API until SIGTERM/SIGINT, finishing in-flight requests."""

from __future__ import annotations

import logging

from aiohttp import web

from api.app import init_app
from smarthabit.config import Settings

log = logging.getLogger("smarthabit.api")


def run(settings: Settings) -> None:
    """Serve on HOST:PORT; a stop signal lets in-flight requests finish (up to 30 s)."""
    app = init_app(settings)
    log.info("api listening", extra={"host": settings.host, "port": settings.port})
    web.run_app(app, host=settings.host, port=settings.port, access_log=None, shutdown_timeout=30, print=None)
