"""Fixed-window rate limits for login and registration, per account and per client address.

With REDIS_URL the counters live in Redis, shared by every API process (one atomic Lua script:
INCR, EXPIRE on the first hit, read the TTL). Without it they live in this process's memory,
which is right for the single-process embedded mode.
"""

from __future__ import annotations

import hashlib
import math
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass

from redis.asyncio import Redis

from api.errors import ApiError

MEMORY_PRUNE_AT = 10_000  # in-memory keys kept before expired windows are swept


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `count` attempts of `action` per `window` seconds."""

    action: str
    count: int
    window: int


LOGIN_PER_ACCOUNT = Limit("login:account", 10, 15 * 60)
LOGIN_PER_ADDRESS = Limit("login:address", 30, 60)
REGISTER_PER_ACCOUNT = Limit("register:account", 5, 60 * 60)
REGISTER_PER_ADDRESS = Limit("register:address", 10, 60 * 60)


class RateLimiter(ABC):
    @abstractmethod
    async def hit(self, limit: Limit, subject: str) -> int | None:
        """Count one attempt; None while within the limit, else the seconds until the window ends."""

    async def enforce(self, *checks: tuple[Limit, str]) -> None:
        """Count an attempt against every (limit, subject); 429 with Retry-After if any is exceeded.

        Subjects are hashed, so neither emails nor addresses end up in Redis keys."""
        waits = [wait for limit, subject in checks if (wait := await self.hit(limit, _digest(subject))) is not None]
        if waits:
            retry_after = max(waits)
            limit = min((limit for limit, _ in checks), key=lambda limit: limit.count)
            raise ApiError(429, "rate_limited", "Too many attempts; try again later",
                           {"retry_after": retry_after}, headers=rate_limit_headers(limit, retry_after))


def rate_limit_headers(limit: Limit, retry_after: int) -> dict[str, str]:
    """`Retry-After` and the IETF draft's `RateLimit-*` headers of an exhausted limit."""
    return {"Retry-After": str(retry_after), "RateLimit-Limit": str(limit.count), "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(retry_after), "RateLimit-Policy": f"{limit.count};w={limit.window}"}


def _digest(subject: str) -> str:
    return hashlib.sha256(subject.encode()).hexdigest()[:32]


class MemoryRateLimiter(RateLimiter):
    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, float]] = {}  # key -> (attempts, window end, monotonic)

    async def hit(self, limit: Limit, subject: str) -> int | None:
        now = time.monotonic()
        if len(self._windows) >= MEMORY_PRUNE_AT:
            self._windows = {key: value for key, value in self._windows.items() if value[1] > now}
        key = f"{limit.action}:{subject}"
        count, ends = self._windows.get(key, (0, 0.0))
        if ends <= now:
            count, ends = 0, now + limit.window
        self._windows[key] = (count + 1, ends)
        return math.ceil(ends - now) if count + 1 > limit.count else None


_HIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


class RedisRateLimiter(RateLimiter):
    def __init__(self, redis: Redis, prefix: str = "smarthabit:ratelimit:") -> None:
        self.prefix = prefix
        self._script = redis.register_script(_HIT_SCRIPT)

    async def hit(self, limit: Limit, subject: str) -> int | None:
        count, ttl = await self._script(keys=[f"{self.prefix}{limit.action}:{subject}"], args=[limit.window])
        return max(1, int(ttl)) if int(count) > limit.count else None
