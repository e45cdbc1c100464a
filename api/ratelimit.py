"""Rate limits for login and registration.

Registration: fixed windows per email and per client address.

Login: growing delays (`Backoff`), per (account, client address) and per client address, never per
account alone, so nobody can lock an owner out by failing on their email from elsewhere. Every attempt
counts when it starts (parallel guesses are counted too); past the free attempts each one makes the
next wait twice as long, up to a cap. A successful login clears its (account, address) counter and
takes its attempt back from the address's.

With REDIS_URL the counters live in Redis, shared by every API process (atomic Lua scripts on Redis'
clock). Without it they live in this process's memory, which is right for the single-process
embedded mode. Subjects are hashed, so neither emails nor addresses end up in Redis keys.
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


@dataclass(frozen=True, slots=True)
class Backoff:
    """`free` attempts, then each further one blocks the next for `base * 2**k` seconds (k = 0, 1, ...),
    at most `cap`; a counter is forgotten `memory` seconds after its last attempt."""

    action: str
    free: int
    base: int
    cap: int
    memory: int

    def delay(self, attempts: int) -> int:
        """Seconds the next attempt must wait after `attempts` attempts (0 while within the free ones)."""
        if attempts <= self.free:
            return 0
        return min(self.cap, self.base * 2 ** min(attempts - self.free - 1, 32))


LOGIN_PER_ACCOUNT_ADDRESS = Backoff("login:account-address", free=5, base=1, cap=15 * 60, memory=24 * 3600)
LOGIN_PER_ADDRESS = Backoff("login:address", free=50, base=1, cap=15 * 60, memory=24 * 3600)
REGISTER_PER_ACCOUNT = Limit("register:account", 5, 60 * 60)
REGISTER_PER_ADDRESS = Limit("register:address", 10, 60 * 60)


class RateLimiter(ABC):
    @abstractmethod
    async def hit(self, limit: Limit, subject: str) -> int | None:
        """Count one attempt; None while within the limit, else the seconds until the window ends."""

    @abstractmethod
    async def attempt(self, backoff: Backoff, subject: str) -> int | None:
        """Count one attempt unless the subject must still wait: None when counted, else the seconds left."""

    @abstractmethod
    async def succeeded(self, backoff: Backoff, subject: str, *, clear: bool) -> None:
        """After a success: forget the subject's counter (`clear`) or take this attempt back."""

    async def enforce(self, *checks: tuple[Limit, str]) -> None:
        """Count an attempt against every (limit, subject); 429 with Retry-After if any is exceeded."""
        waits = [wait for limit, subject in checks if (wait := await self.hit(limit, _digest(subject))) is not None]
        if waits:
            limit = min((limit for limit, _ in checks), key=lambda limit: limit.count)
            raise _too_many(rate_limit_headers(limit.count, f"{limit.count};w={limit.window}", max(waits)))

    async def enforce_backoff(self, *checks: tuple[Backoff, str]) -> None:
        """Count an attempt against every (backoff, subject); 429 with Retry-After while any must wait."""
        waits = [wait for backoff, subject in checks
                 if (wait := await self.attempt(backoff, _digest(subject))) is not None]
        if waits:
            backoff = min((backoff for backoff, _ in checks), key=lambda backoff: backoff.free)
            raise _too_many(rate_limit_headers(backoff.free, f"{backoff.free};w={backoff.memory}", max(waits)))

    async def forgive(self, *checks: tuple[Backoff, str], clear: Backoff) -> None:
        """A success: the `clear` counter starts over, the others no longer count this attempt."""
        for backoff, subject in checks:
            await self.succeeded(backoff, _digest(subject), clear=backoff == clear)


def _too_many(headers: dict[str, str]) -> ApiError:
    return ApiError(429, "rate_limited", "Too many attempts; try again later",
                    {"retry_after": int(headers["Retry-After"])}, headers=headers)


def rate_limit_headers(count: int, policy: str, retry_after: int) -> dict[str, str]:
    """`Retry-After` and the IETF draft's `RateLimit-*` headers of an exhausted limit."""
    return {"Retry-After": str(retry_after), "RateLimit-Limit": str(count), "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(retry_after), "RateLimit-Policy": policy}


def _digest(subject: str) -> str:
    return hashlib.sha256(subject.encode()).hexdigest()[:32]


class MemoryRateLimiter(RateLimiter):
    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, float]] = {}  # key -> (attempts, window end, monotonic)
        self._backoffs: dict[str, tuple[int, float, float]] = {}  # key -> (attempts, blocked until, forget at)

    async def attempt(self, backoff: Backoff, subject: str) -> int | None:
        now = time.monotonic()
        if len(self._backoffs) >= MEMORY_PRUNE_AT:
            self._backoffs = {key: value for key, value in self._backoffs.items() if value[2] > now}
        key = f"{backoff.action}:{subject}"
        count, blocked_until, forget_at = self._backoffs.get(key, (0, 0.0, 0.0))
        if forget_at <= now:
            count, blocked_until = 0, 0.0
        if blocked_until > now:
            return math.ceil(blocked_until - now)
        count += 1
        delay = backoff.delay(count)
        self._backoffs[key] = (count, now + delay if delay else 0.0, now + backoff.memory)
        return None

    async def succeeded(self, backoff: Backoff, subject: str, *, clear: bool) -> None:
        key = f"{backoff.action}:{subject}"
        if clear:
            self._backoffs.pop(key, None)
        elif key in self._backoffs:
            count, blocked_until, forget_at = self._backoffs[key]
            self._backoffs[key] = (max(0, count - 1), blocked_until, forget_at)

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


# KEYS: the counter, the block. ARGV: free, base, cap, memory. Returns 0 when counted, else seconds left.
_ATTEMPT_SCRIPT = """
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then
  return math.ceil(blocked / 1000)
end
local count = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[4])
local free = tonumber(ARGV[1])
if count > free then
  local delay = math.min(tonumber(ARGV[3]), tonumber(ARGV[2]) * 2 ^ math.min(count - free - 1, 32))
  redis.call('SET', KEYS[2], '1', 'EX', math.floor(delay))
end
return 0
"""
_TAKE_BACK_SCRIPT = """
if redis.call('DECR', KEYS[1]) < 0 then
  redis.call('DEL', KEYS[1])
end
return 0
"""


class RedisRateLimiter(RateLimiter):
    def __init__(self, redis: Redis, prefix: str = "smarthabit:ratelimit:") -> None:
        self.prefix = prefix
        self._redis = redis
        self._script = redis.register_script(_HIT_SCRIPT)
        self._attempt = redis.register_script(_ATTEMPT_SCRIPT)
        self._take_back = redis.register_script(_TAKE_BACK_SCRIPT)

    def _keys(self, backoff: Backoff, subject: str) -> list[str]:
        base = f"{self.prefix}{backoff.action}:{subject}"
        return [f"{base}:count", f"{base}:blocked"]

    async def attempt(self, backoff: Backoff, subject: str) -> int | None:
        wait = await self._attempt(keys=self._keys(backoff, subject),
                                   args=[backoff.free, backoff.base, backoff.cap, backoff.memory])
        return int(wait) or None

    async def succeeded(self, backoff: Backoff, subject: str, *, clear: bool) -> None:
        keys = self._keys(backoff, subject)
        if clear:
            await self._redis.delete(*keys)
        else:
            await self._take_back(keys=keys[:1])

    async def hit(self, limit: Limit, subject: str) -> int | None:
        count, ttl = await self._script(keys=[f"{self.prefix}{limit.action}:{subject}"], args=[limit.window])
        return max(1, int(ttl)) if int(count) > limit.count else None
