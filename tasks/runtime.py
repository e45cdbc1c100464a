"""What a process running tasks holds: settings, the Telegram bot, the shared Telegram budget, Redis.

Built once per broker by `tasks.broker.build_broker` and opened by the broker's startup event, so a
task body gets everything it needs from one explicit object (no module globals, no environment).
Task bodies (`tasks.jobs`) take the runtime as their first argument, which is also how tests call
them directly.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from redis.asyncio import Redis
from telegram import Bot
from telegram.error import InvalidToken
from telegram.request import HTTPXRequest
from tortoise import Tortoise

from smarthabit.config import Settings, redis_namespace  # noqa: F401 - redis_namespace is re-exported
from smarthabit.missed import AnyMissed
from smarthabit.orm import close_database, open_database
from smarthabit.outages import Outage, is_database_down, is_redis_down
from smarthabit.telegram_budget import (
    DEFAULT_CHAT_INTERVAL,
    Budget,
    MemoryBudget,
    budget_for,
    messages_per_second,
)
from tasks.request_written import HTTPX_HOOKS

if TYPE_CHECKING:
    from taskiq import AsyncBroker

log = logging.getLogger(__name__)

DELIVER_TASK = "smarthabit.deliver"
NIGHTLY_BATCH_TASK = "smarthabit.nightly_batch"
KICK_CHUNK = 200
HTTP_POOL_SIZE = 64
# Short and separate (see tasks.delivery): only a read timeout leaves a send's outcome unknown.
CONNECT_TIMEOUT = 3.0
WRITE_TIMEOUT = 5.0
READ_TIMEOUT = 12.0
POOL_TIMEOUT = 3.0


class Runtime:
    """Per-process resources of the workers; `startup`/`shutdown` open and close them in one place."""

    def __init__(
        self,
        settings: Settings,
        broker: AsyncBroker | None = None,
        *,
        manage_database: bool = True,
        global_rate: float | None = None,
        chat_interval: float = DEFAULT_CHAT_INTERVAL,
    ) -> None:
        global_rate = global_rate or messages_per_second(settings.telegram_paid_broadcast_rate)
        self.settings = settings
        self.broker = broker
        self.manage_database = manage_database
        self.global_rate = global_rate
        self.chat_interval = chat_interval
        self.redis: Redis | None = None
        self.budget: Budget = MemoryBudget(global_rate=global_rate, chat_interval=chat_interval)
        if settings.bot_token is not None:
            self.budget = budget_for(settings.bot_token, None, global_rate=global_rate, chat_interval=chat_interval)
        self.any_missed = AnyMissed()  # whether delivery must look for missed reminders to mention
        self.database_outage = Outage("PostgreSQL", logger=log)
        self.redis_outage = Outage("Redis", logger=log)
        self._bot: Bot | None = None
        self._bot_lock = asyncio.Lock()
        self._opened_database = False
        self._started = False

    @property
    def paid_broadcast(self) -> bool:
        """Whether bulk messages go out as Telegram paid broadcasts (see Settings)."""
        return self.settings.telegram_paid_broadcast_rate > 0

    @property
    def can_send(self) -> bool:
        """Whether messages can go out at all (a bot token is configured)."""
        return self.settings.bot_token is not None

    async def startup(self, *_: Any) -> None:
        """Open the database (unless the host process owns it), Redis and the shared Telegram budget."""
        if self._started:
            return
        self._started = True
        if self.manage_database and not Tortoise._inited:
            await self.database_outage.call(
                lambda: open_database(self.settings.db_url, create_schema=not self.settings.uses_postgres),
                is_database_down,
            )
            self._opened_database = True
        if self.settings.redis_url:
            self.redis = Redis.from_url(self.settings.redis_url)
            self.budget = budget_for(
                self.settings.bot_token or "0:none", self.redis, global_rate=self.global_rate,
                chat_interval=self.chat_interval,
            )

    async def shutdown(self, *_: Any) -> None:
        """Close what `startup` opened, in reverse order."""
        if not self._started:
            return
        self._started = False
        if self._bot is not None:
            await self._bot.shutdown()
            self._bot = None
        if self.redis is not None:
            await self.redis.aclose()
            self.redis = None
        if self._opened_database:
            await close_database()
            self._opened_database = False

    async def bot(self) -> Bot:
        """The Telegram bot, created on first use (a worker that never sends never calls getMe)."""
        async with self._bot_lock:
            if self._bot is None:
                token = self.settings.bot_token
                if token is None:
                    raise RuntimeError("TELEGRAM_BOT_TOKEN is not set: nothing can be delivered")
                request = HTTPXRequest(
                    connection_pool_size=HTTP_POOL_SIZE, connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT,
                    write_timeout=WRITE_TIMEOUT, pool_timeout=POOL_TIMEOUT, httpx_kwargs=HTTPX_HOOKS,
                )
                bot = Bot(token, base_url=f"{self.settings.telegram_api_url}/bot", request=request)
                rejected = False
                try:
                    await bot.initialize()
                except InvalidToken:  # its message quotes the token, and task errors get logged
                    rejected = True
                if rejected:  # raised outside the handler, so the original is not even the context
                    await bot.shutdown()
                    raise RuntimeError("the Bot API rejected TELEGRAM_BOT_TOKEN")
                self._bot = bot
            return self._bot

    async def enqueue_deliveries(self, nudge_ids: Iterable[int], *, now: datetime | None = None) -> int:
        """Send one delivery task per planned nudge; without a broker (direct calls) nothing is sent.

        `now` is passed on only when the planner was run for an explicit instant (tests, replays):
        normally a delivery judges lateness and quiet hours by the clock when it actually runs."""
        ids = list(nudge_ids)
        when = now.isoformat() if now is not None else None
        if self.broker is None or not ids:
            return 0
        task = self.broker.find_task(DELIVER_TASK)
        if task is None:  # pragma: no cover - build_broker always registers it
            raise RuntimeError(f"{DELIVER_TASK} is not registered on this broker")
        for start in range(0, len(ids), KICK_CHUNK):
            chunk = ids[start : start + KICK_CHUNK]

            async def kick(chunk: list[int] = chunk) -> None:
                await asyncio.gather(*(task.kiq(nudge_id, now=when) for nudge_id in chunk))

            # During a Redis outage wait in place: a chunk sent twice is harmless (the claim decides).
            await self.redis_outage.call(kick, is_redis_down)
        return len(ids)
