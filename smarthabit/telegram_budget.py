"""One Telegram flood budget per bot token, shared by every process that sends as the bot.

Telegram allows a bot about 30 messages a second and one a second per chat. The polling bot, the
webhook handlers in the API and the workers all send as the same bot, so they all book from one
budget: on Redis when REDIS_URL is set (keys named after the bot's id, the public part of the
token), in memory otherwise (the embedded mode runs every role in one process).

Algorithm: reservation-style GCRA ("virtual scheduling"). A caller atomically books the next free
send slot on the bot-wide timeline and sleeps until it, instead of polling and retrying. Booking
is one Lua script timed by Redis' own clock, so processes with different clocks share one timeline.
A chat still cooling down books nothing: the caller is told how long to wait and asks again, so a
busy chat never burns bot-wide slots it cannot use. A 429 pushes the timeline past `retry_after`
for everyone.

Priorities: each priority may only book a slot at most `HORIZON[priority]` seconds ahead. Bulk work
keeps the timeline a short horizon ahead of now and gets "ask again" beyond it; a person's answer
may book far ahead, so it lands right after the bulk slots already handed out (at most about one
reminder horizon later), before any reminder that has not booked yet. Reminders look further ahead
than nudges, nudges further than summaries, so while reminders are queued the others wait.

The reminder horizon is what a person's answer waits at most during a fan-out: `bench.faults`
(taps scenario, 10 people writing during a fan-out) measured answers at p50 2.13 s / p99 2.28 s
with a 1 s horizon and p50 0.43 s / p99 0.68 s with 0.3 s, with the fan-out's pace unchanged.

The default books 28 messages a second so that network jitter between booking and arrival cannot
squeeze 31 sends into one second at the server.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import warnings
from dataclasses import dataclass
from datetime import timedelta
from enum import IntEnum
from typing import Protocol

import redis.exceptions
from redis.asyncio import Redis
from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

DEFAULT_GLOBAL_RATE = 28.0  # messages per second, whole bot
DEFAULT_CHAT_INTERVAL = 1.05  # seconds between two messages to one chat
MAX_ASK_AGAIN = 5.0
MIN_ASK_AGAIN = 0.02
ASK_AGAIN_JITTER = 0.2
MAX_RETRY_AFTER = 60.0  # seconds; after a longer retry_after the sender simply asks again
FALLBACK_SHARE = 0.25  # of the bot-wide rate a process uses alone while Redis is unreachable


class Priority(IntEnum):
    """Who goes first when the budget is short: lower value, earlier."""

    PERSON = 0  # an answer to someone who just wrote or tapped
    REMINDER = 1
    NUDGE = 2
    SUMMARY = 3


HORIZON = {Priority.PERSON: 60.0, Priority.REMINDER: 0.3, Priority.NUDGE: 0.15, Priority.SUMMARY: 0.1}


@dataclass(frozen=True, slots=True)
class Booking:
    """Either a booked slot (`booked`, sleep `wait` seconds then send) or "ask again in `wait`"."""

    booked: bool
    wait: float


class Budget(Protocol):
    async def book(self, chat_id: int, priority: Priority = Priority.REMINDER) -> Booking: ...

    async def penalize(self, seconds: float) -> None: ...


def retry_after_seconds(exc: RetryAfter) -> float:
    """How long Telegram's 429 asks every sender to wait, between 0.5 s and `MAX_RETRY_AFTER`."""
    with warnings.catch_warnings():  # int today, timedelta in a future release: both are handled
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    return min(MAX_RETRY_AFTER, max(0.5, seconds))


def messages_per_second(paid_broadcast_rate: int = 0) -> float:
    """The bot-wide rate every sender books at: Telegram's free limit (with a margin), or the paid
    broadcast rate when it is switched on (TELEGRAM_PAID_BROADCAST_RATE)."""
    return float(paid_broadcast_rate) if paid_broadcast_rate > 0 else DEFAULT_GLOBAL_RATE


def budget_prefix(token: str) -> str:
    """Redis key prefix of a bot's budget: the bot id (public), never the secret part."""
    return f"smarthabit:telegram-budget:{token.split(':', 1)[0]}"


async def acquire(budget: Budget, chat_id: int, priority: Priority = Priority.REMINDER) -> float:
    """Wait until this process may send one message to `chat_id`; returns the monotonic instant of
    the booked slot (the caller can tell how late it really sends)."""
    slot = await book_slot(budget, chat_id, priority)
    await until_slot(slot)
    return slot


async def book_slot(budget: Budget, chat_id: int, priority: Priority = Priority.REMINDER) -> float:
    """Book a send slot for one message to `chat_id`, asking again while the next one is beyond this
    priority's horizon; returns the slot's monotonic instant without waiting for it (so the caller can
    prepare the send meanwhile, and then `until_slot`)."""
    while True:
        booking = await budget.book(chat_id, priority)
        if booking.booked:
            return time.monotonic() + booking.wait
        # Jittered: the callers told to wait do not all wake for the same next slot.
        wait = min(MAX_ASK_AGAIN, max(MIN_ASK_AGAIN, booking.wait))
        await asyncio.sleep(wait + random.random() * ASK_AGAIN_JITTER)  # noqa: S311 - jitter


async def until_slot(slot: float) -> None:
    """Sleep until a booked slot's instant."""
    wait = slot - time.monotonic()
    if wait > 0:
        await asyncio.sleep(wait)


# KEYS: global, chat. ARGV: global interval ms, chat interval ms, horizon ms.
# Returns {booked (0/1), wait ms as a string (Lua numbers become integers otherwise)}.
_BOOK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local g_interval = tonumber(ARGV[1])
local c_interval = tonumber(ARGV[2])
local horizon = tonumber(ARGV[3])
local chat_tat = tonumber(redis.call('GET', KEYS[2]) or '0')
if chat_tat > now then
  return {0, tostring(chat_tat - now)}
end
local g_tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(g_tat, now)
if slot - now > horizon then
  return {0, tostring(slot - now - horizon)}
end
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


class MemoryBudget:
    """The same booking rule in one process (no Redis: the embedded mode)."""

    def __init__(
        self, *, global_rate: float = DEFAULT_GLOBAL_RATE, chat_interval: float = DEFAULT_CHAT_INTERVAL
    ) -> None:
        self._global = 1.0 / global_rate
        self._chat = chat_interval
        self._global_tat = 0.0
        self._chat_tat: dict[int, float] = {}

    async def book(self, chat_id: int, priority: Priority = Priority.REMINDER) -> Booking:
        now = time.monotonic()
        chat_tat = self._chat_tat.get(chat_id, 0.0)
        if chat_tat > now:
            return Booking(False, chat_tat - now)
        slot = max(self._global_tat, now)
        if slot - now > HORIZON[priority]:
            return Booking(False, slot - now - HORIZON[priority])
        self._global_tat = slot + self._global
        self._chat_tat[chat_id] = slot + self._chat
        if len(self._chat_tat) > 10_000:  # forget chats that cooled down long ago
            self._chat_tat = {c: t for c, t in self._chat_tat.items() if t > now}
        return Booking(True, slot - now)

    async def penalize(self, seconds: float) -> None:
        self._global_tat = max(self._global_tat, time.monotonic() + seconds)


class RedisBudget:
    """The shared budget: every process books slots on the same Redis keys.

    While Redis cannot be reached the process books from a local budget at `FALLBACK_SHARE` of the
    rate (an answer to a person should not wait for Redis; several processes alone stay near the
    limit), and logs the outage once when it starts and once when it ends."""

    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str,
        global_rate: float = DEFAULT_GLOBAL_RATE,
        chat_interval: float = DEFAULT_CHAT_INTERVAL,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._global_ms = 1000.0 / global_rate
        self._chat_ms = chat_interval * 1000.0
        self._book = redis.register_script(_BOOK)
        self._penalize = redis.register_script(_PENALIZE)
        self._fallback = MemoryBudget(global_rate=global_rate * FALLBACK_SHARE, chat_interval=chat_interval)
        self._down = False

    @property
    def global_key(self) -> str:
        return f"{self._prefix}:global"

    def _unreachable(self, exc: Exception) -> None:
        if not self._down:
            self._down = True
            log.warning("telegram budget: Redis unreachable, booking locally", extra={"error": type(exc).__name__})

    def _reachable(self) -> None:
        if self._down:
            self._down = False
            log.warning("telegram budget: Redis back, booking shared slots again")

    async def book(self, chat_id: int, priority: Priority = Priority.REMINDER) -> Booking:
        try:
            booked, wait_ms = await self._book(
                keys=[self.global_key, f"{self._prefix}:chat:{chat_id}"],
                args=[self._global_ms, self._chat_ms, HORIZON[priority] * 1000.0],
            )
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as exc:
            self._unreachable(exc)
            return await self._fallback.book(chat_id, priority)
        self._reachable()
        return Booking(bool(int(booked)), max(0.0, float(wait_ms) / 1000.0))

    async def penalize(self, seconds: float) -> None:
        await self._fallback.penalize(seconds)
        try:
            await self._penalize(keys=[self.global_key], args=[seconds * 1000.0])
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as exc:
            self._unreachable(exc)


_PROCESS_BUDGETS: dict[tuple[str, float, float], MemoryBudget] = {}


def budget_for(
    token: str,
    redis: Redis | None,
    *,
    global_rate: float = DEFAULT_GLOBAL_RATE,
    chat_interval: float = DEFAULT_CHAT_INTERVAL,
) -> Budget:
    """The bot's one budget: on Redis when there is one, else the one in-memory budget of this
    process for this token (the embedded mode runs bot and workers in one process: they share it)."""
    if redis is not None:
        return RedisBudget(redis, prefix=budget_prefix(token), global_rate=global_rate, chat_interval=chat_interval)
    key = (token.split(":", 1)[0], global_rate, chat_interval)
    if key not in _PROCESS_BUDGETS:
        _PROCESS_BUDGETS[key] = MemoryBudget(global_rate=global_rate, chat_interval=chat_interval)
    return _PROCESS_BUDGETS[key]
