"""Riding out outages of PostgreSQL and Redis: which errors mean "the service is down", how long
to wait before trying again, and what to log.

Every role (worker, scheduler, bot, API) keeps going through an outage of any length: it retries
with capped exponential backoff and jitter, and logs one line when the outage starts, one a minute
while it lasts and one when it ends (never a traceback per attempt). Only configuration errors are
fatal.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
import redis.exceptions
from tortoise.exceptions import DBConnectionError, OperationalError

log = logging.getLogger(__name__)

T = TypeVar("T")

REPORT_EVERY = 60.0
BACKOFF_BASE = 0.25
BACKOFF_CAP = 5.0  # the backlog starts draining at most this long after the service returns

REDIS_DOWN: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.BusyLoadingError,
)
DATABASE_DOWN: tuple[type[BaseException], ...] = (
    DBConnectionError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.InterfaceError,  # "connection is closed", "pool is closing" (the latter only at shutdown)
    asyncpg.InternalClientError,  # a connection broken mid-protocol by the server going away
    ConnectionError,
    TimeoutError,
    OSError,
)


def is_database_down(exc: BaseException) -> bool:
    """Whether an error means PostgreSQL could not be reached (not a bad query)."""
    if isinstance(exc, DATABASE_DOWN) and not isinstance(exc, REDIS_DOWN):
        return True
    if isinstance(exc, OperationalError):  # Tortoise wraps the driver's error
        cause = exc.__cause__ or exc.__context__
        return (cause is not None and is_database_down(cause)) or "connection" in str(exc).lower()
    return isinstance(exc, asyncpg.exceptions.AdminShutdownError | asyncpg.exceptions.ConnectionDoesNotExistError)


def backoff(attempt: int, *, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP) -> float:
    """Capped exponential backoff with jitter ("equal jitter"): attempt 0 waits about `base`."""
    delay = min(cap, base * 2 ** min(attempt, 30))
    return delay / 2 + random.random() * delay / 2  # noqa: S311 - jitter, not cryptography


class Outage:
    """The state of one dependency as seen by this process, and its log lines."""

    def __init__(self, service: str, *, logger: logging.Logger | None = None) -> None:
        self.service = service
        self.log = logger or log
        self.since: float | None = None
        self._reported = 0.0
        self.attempts = 0

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, exc: BaseException) -> float:
        """Record a failed attempt; returns how long to wait before the next one."""
        now = time.monotonic()
        if self.since is None:
            self.since, self._reported, self.attempts = now, now, 0
            self.log.warning(f"{self.service} unreachable; retrying", extra={"error": type(exc).__name__})
        elif now - self._reported >= REPORT_EVERY:
            self._reported = now
            self.log.warning(
                f"{self.service} still unreachable",
                extra={"down_seconds": round(now - self.since), "error": type(exc).__name__},
            )
        self.attempts += 1
        return backoff(self.attempts - 1)

    def recovered(self) -> bool:
        """Record a success; True (and one log line) if that ends an outage."""
        if self.since is None:
            return False
        down = round(time.monotonic() - self.since, 1)
        self.log.warning(f"{self.service} reachable again", extra={"down_seconds": down})
        self.since = None
        self.attempts = 0
        return True

    async def call(self, action: Callable[[], Awaitable[T]], is_down: Callable[[BaseException], bool]) -> T:
        """Run `action` until it succeeds, waiting out outages (other errors propagate)."""
        while True:
            try:
                result = await action()
            except Exception as exc:
                if not is_down(exc):
                    raise
                await asyncio.sleep(self.failed(exc))
                continue
            self.recovered()
            return result


def is_redis_down(exc: BaseException | None) -> bool:
    """Whether an error (or what it wraps, e.g. taskiq's SendTaskError) means Redis is unreachable."""
    for _ in range(5):
        if exc is None:
            return False
        if isinstance(exc, REDIS_DOWN):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


class Dependencies:
    """A front door's view of its two services: a request or an update that failed because one is
    down gets a short "try again" answer instead of a traceback, and the outage is logged as above
    (one line when it starts, one a minute, one when it ends)."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.database = Outage("PostgreSQL", logger=logger)
        self.redis = Outage("Redis", logger=logger)

    def down_because(self, exc: BaseException) -> Outage | None:
        """The outage `exc` belongs to (recorded), or None for any other error."""
        outage = self.redis if is_redis_down(exc) else self.database if is_database_down(exc) else None
        if outage is not None:
            outage.failed(exc)
        return outage

    def served(self) -> None:
        """A request or update went through: any outage is over (logged once)."""
        if self.database.down:
            self.database.recovered()
        if self.redis.down:
            self.redis.recovered()
