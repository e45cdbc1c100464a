"""The API's Prometheus metrics on their own listener (METRICS_PORT), never on the public port.

Like the other roles, the API serves /metrics only when METRICS_PORT is set, on HOST:METRICS_PORT,
which a deployment keeps off the internet (the public port answers 404). Under API_PROCESSES each
server process binds it with SO_REUSEPORT; whichever answers reports the sum over all of them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.typedefs import SETTINGS
from smarthabit.metrics import metrics_registry


async def metrics(request: web.Request) -> web.Response:
    return web.Response(body=generate_latest(metrics_registry()), headers={"Content-Type": CONTENT_TYPE_LATEST})


async def metrics_listener(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: serve /metrics on METRICS_PORT for as long as the API runs."""
    settings = app[SETTINGS]
    metrics_app = web.Application()
    metrics_app.router.add_get("/metrics", metrics)
    runner = web.AppRunner(metrics_app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.metrics_port, reuse_port=True).start()
    yield
    await runner.cleanup()
