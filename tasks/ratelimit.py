"""Telegram's flood limits, shared by every worker process: one bot-wide rate and one per chat.

Reservation-style GCRA (a "virtual scheduling" leaky bucket): each caller atomically books the next
free send slot and sleeps until it, instead of polling and retrying. Booking is one Lua script on
Redis, timed by Redis' own clock (workers' clocks may differ), so all processes share one timeline.
Without Redis the same algorithm runs in memory (the single-process embedded mode).

A chat that is still cooling down books nothing: the caller is told how long to wait and asks
again, so a busy chat never burns bot-wide slots it cannot use. A 429 pushes the bot-wide timeline
past its `retry_after` for everyone.

Telegram allows about 30 messages a second; the default books 28 so that network jitter between
booking and arrival cannot squeeze 31 sends into one second at the server.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis

DEFAULT_GLOBAL_RATE = 28.0  # messages per second, whole bot
DEFAULT_CHAT_INTERVAL = 1.05  # seconds between two messages to one chat
MAX_CHAT_RETRY_SLEEP = 5.0


@dataclass(frozen=True, slots=True)
class Booking:
    """Either a booked slot (`booked`, sleep `wait` seconds then send) or "ask again in `wait`"."""

    booked: bool
    wait: float


class RateLimiter(Protocol):
    async def book(self, chat_id: int) -> Booking: ...

    async def penalize(self, seconds: float) -> None: ...


async def acquire(limiter: RateLimiter, chat_id: int) -> float:
    """Wait until this process may send one message to `chat_id`; returns the monotonic instant of
    the booked slot (the caller can tell how late it really sends)."""
    while True:
        booking = await limiter.book(chat_id)
        booked_at = time.monotonic()
        if booking.wait > 0:
            await asyncio.sleep(booking.wait if booking.booked else min(booking.wait, MAX_CHAT_RETRY_SLEEP))
        if booking.booked:
            return booked_at + booking.wait


# KEYS: global, chat. ARGV: global interval ms, chat interval ms.
# Returns {booked (0/1), wait ms as a string (Lua numbers become integers otherwise)}.
_BOOK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local g_interval = tonumber(ARGV[1])
local c_interval = tonumber(ARGV[2])
local chat_tat = tonumber(redis.call('GET', KEYS[2]) or '0')
if chat_tat > now then
  return {0, tostring(chat_tat - now)}
end
local g_tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(g_tat, now)
redis.call('SET', KEYS[1], tostring(slot + g_interval), 'PX', math.ceil(slot + g_interval - now) + 60000)
redis.call('SET', KEYS[2], tostring(slot + c_interval), 'PX', math.ceil(slot + c_interval - now) + 1000)
return {1, tostring(slot - now)}
"""

# KEYS: global. ARGV: pause ms. Nobody sends before now + pause.
_PENALIZE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local until_ms = now + tonumber(ARGV[1])
local g_tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ms > g_tat then
  redis.call('SET', KEYS[1], tostring(until_ms), 'PX', math.ceil(until_ms - now) + 60000)
end
return 1
"""


class RedisRateLimiter:
    """The shared limiter: every worker process books slots on the same Redis keys."""

    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str = "smarthabit:ratelimit",
        global_rate: float = DEFAULT_GLOBAL_RATE,
        chat_interval: float = DEFAULT_CHAT_INTERVAL,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._global_ms = 1000.0 / global_rate
        self._chat_ms = chat_interval * 1000.0
        self._book = redis.register_script(_BOOK)
        self._penalize = redis.register_script(_PENALIZE)

    @property
    def global_key(self) -> str:
        return f"{self._prefix}:global"

    async def book(self, chat_id: int) -> Booking:
        booked, wait_ms = await self._book(
            keys=[self.global_key, f"{self._prefix}:chat:{chat_id}"], args=[self._global_ms, self._chat_ms]
        )
        return Booking(bool(int(booked)), max(0.0, float(wait_ms) / 1000.0))

    async def penalize(self, seconds: float) -> None:
        await self._penalize(keys=[self.global_key], args=[seconds * 1000.0])


class MemoryRateLimiter:
    """The same booking rule in one process (no Redis: the embedded mode)."""

    def __init__(
        self, *, global_rate: float = DEFAULT_GLOBAL_RATE, chat_interval: float = DEFAULT_CHAT_INTERVAL
    ) -> None:
        self._global = 1.0 / global_rate
        self._chat = chat_interval
        self._global_tat = 0.0
        self._chat_tat: dict[int, float] = {}

    async def book(self, chat_id: int) -> Booking:
        now = time.monotonic()
        chat_tat = self._chat_tat.get(chat_id, 0.0)
        if chat_tat > now:
            return Booking(False, chat_tat - now)
        slot = max(self._global_tat, now)
        self._global_tat = slot + self._global
        self._chat_tat[chat_id] = slot + self._chat
        if len(self._chat_tat) > 10_000:  # forget chats that cooled down long ago
            self._chat_tat = {c: t for c, t in self._chat_tat.items() if t > now}
        return Booking(True, slot - now)

    async def penalize(self, seconds: float) -> None:
        self._global_tat = max(self._global_tat, time.monotonic() + seconds)
