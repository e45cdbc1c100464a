"""Background work inside the API process, for `smarthabit run` (the first-try, one-process mode).

Without REDIS_URL the broker is taskiq's in-process broker: the scheduler loop sends the cron tasks
to it and they run on this event loop. With REDIS_URL a worker (a Receiver on the Redis stream) runs
here too, next to any separate `smarthabit worker` processes; the scheduler lease still keeps the
scheduler single. The API owns the database connection, so the tasks reuse it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from smarthabit.config import Settings
from tasks.main import SHUTDOWN_GRACE_SECONDS, serve

log = logging.getLogger(__name__)

EMBEDDED_CONCURRENCY = 10


def tasks_ctx(settings: Settings) -> Callable[[web.Application], AsyncIterator[None]]:
    """An aiohttp cleanup_ctx running the scheduler and the tasks for the app's lifetime."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        stop = asyncio.Event()
        work = asyncio.create_task(
            serve(settings, stop, concurrency=EMBEDDED_CONCURRENCY, schedule=True, manage_database=False)
        )
        log.info("background tasks started", extra={"broker": "redis" if settings.redis_url else "in-process"})
        try:
            yield
        finally:
            stop.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(work), SHUTDOWN_GRACE_SECONDS + 5)
            if not work.done():
                work.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await work

    return ctx
