"""`smarthabit api`: serve the API until SIGTERM/SIGINT, finishing in-flight requests."""

from __future__ import annotations

from aiohttp import web

from api.app import init_app
from smarthabit.config import Settings


def run(settings: Settings) -> None:
    web.run_app(init_app(settings), host=settings.host, port=settings.port, access_log=None,
                shutdown_timeout=30)
