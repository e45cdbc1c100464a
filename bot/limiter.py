"""The bot's side of the one Telegram budget: python-telegram-bot's rate-limiter hook.

Every message the bot sends books a slot from the same budget as the workers
(`smarthabit.telegram_budget`, on Redis when REDIS_URL is set), with the highest priority: an answer
to a person goes before queued reminders and nudges. Edits, callback answers and the other methods
do not book (Telegram's flood limits are about messages). A 429 pushes the shared timeline back for
every process and the request is tried again after `retry_after`, a few times at most.

It also tells the error handler whether this update already got a reply (`bot.replies`), so a
failure after a confirmation does not add an apology.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from redis.asyncio import Redis
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot import replies
from smarthabit.telegram_budget import (
    DEFAULT_CHAT_INTERVAL,
    DEFAULT_GLOBAL_RATE,
    Budget,
    Priority,
    acquire,
    budget_for,
    retry_after_seconds,
)

log = logging.getLogger(__name__)

BOOKED_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendLocation", "copyMessage"})
REPLY_METHODS = BOOKED_METHODS | {"editMessageText", "editMessageReplyMarkup"}
MAX_RETRIES = 3


class BudgetRateLimiter(BaseRateLimiter[int]):
    """Books every message from the bot's shared budget; retries after a 429."""

    def __init__(self, token: str, redis_url: str | None, *, max_retries: int = MAX_RETRIES,
                 chat_interval: float = DEFAULT_CHAT_INTERVAL, global_rate: float = DEFAULT_GLOBAL_RATE) -> None:
        self._token = token
        self._global_rate = global_rate
        self._redis_url = redis_url
        self._chat_interval = chat_interval
        self._redis: Redis | None = None
        self._budget: Budget | None = None
        self.max_retries = max_retries

    async def initialize(self) -> None:
        if self._redis_url is not None and self._redis is None:
            self._redis = Redis.from_url(self._redis_url)
        self._budget = budget_for(self._token, self._redis, chat_interval=self._chat_interval,
                                  global_rate=self._global_rate)

    async def shutdown(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    @property
    def budget(self) -> Budget:
        if self._budget is None:
            self._budget = budget_for(self._token, None, chat_interval=self._chat_interval,
                                      global_rate=self._global_rate)
        return self._budget

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        book = endpoint in BOOKED_METHODS and isinstance(chat_id, int)
        for attempt in range(self.max_retries + 1):
            if book:
                await acquire(self.budget, chat_id, Priority.PERSON)
            try:
                result = await callback(*args, **kwargs)
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                await self.budget.penalize(wait)
                if attempt >= self.max_retries:
                    raise
                log.warning("rate limited by Telegram", extra={"method": endpoint, "retry_after": wait})
                await asyncio.sleep(wait)
                continue
            if endpoint in REPLY_METHODS:
                replies.note_reply()
            return result
        raise AssertionError("unreachable")  # pragma: no cover
