"""The taskiq broker, its tasks and the scheduler, built from `Settings` by factories.

Design: nothing here reads the environment at import. `build_broker(settings)` makes a broker,
registers the tasks on it as closures over a `Runtime` (settings, bot, rate limiter) and hooks the
runtime's startup/shutdown to the broker's events, so the process that runs tasks opens the
database and Redis in one place. `smarthabit worker`, `smarthabit scheduler` and `smarthabit run`
call the factories with the settings the CLI built once. Only the taskiq CLI needs a module-level
object (`taskiq worker tasks.broker:broker`); for it, `broker` and `scheduler` are module
attributes resolved lazily (PEP 562) from `load_settings()` on first access, the one place that
reads the environment for them.

Broker: with REDIS_URL, a Redis stream with a consumer group (taskiq-redis `RedisStreamBroker`):
a worker acknowledges a message only after the task ran and its result was stored, so a message
taken by a worker that dies stays pending and is claimed by another consumer once it has been
idle for `TASK_REDELIVERY_SECONDS` (XAUTOCLAIM). The stock listener only reclaims right after new
messages arrive; `RedeliveringStreamBroker` also reclaims while the stream is quiet, and reads one
message at a time so nothing sits unprocessed in one worker's buffer while its idle clock runs.
Redelivery means at-least-once execution, so every task is idempotent (unique keys in the
database decide, see `tasks.delivery`). Results go to `RedisAsyncResultBackend` (one hour).
Without REDIS_URL: taskiq's `InMemoryBroker`, which runs tasks in this process (embedded mode).

Retries: `BackoffRetryMiddleware` retries transient failures (database or Redis connection
trouble, Telegram unreachable) with exponential backoff and jitter.

Scheduler: a `TaskiqScheduler` over a `LabelScheduleSource`; the crons live on the task labels.
Times are UTC crons; the tasks themselves look at each user's local time.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

import asyncpg
import redis.exceptions
import telegram.error
from redis.asyncio import Redis
from taskiq import AckableMessage, AsyncBroker, InMemoryBroker, TaskiqEvents, TaskiqScheduler
from taskiq.kicker import AsyncKicker
from taskiq.message import TaskiqMessage
from taskiq.middlewares import SmartRetryMiddleware
from taskiq.schedule_sources import LabelScheduleSource
from taskiq_redis import RedisAsyncResultBackend, RedisStreamBroker
from tortoise.exceptions import DBConnectionError, OperationalError

from smarthabit.config import Settings, load_settings
from tasks import jobs
from tasks.delivery import TransientDeliveryError, deliver
from tasks.runtime import DELIVER_TASK, NIGHTLY_BATCH_TASK, Runtime, redis_namespace

log = logging.getLogger(__name__)

CONSUMER_GROUP = "workers"
STREAM_MAXLEN = 1_000_000  # approximate; far above any backlog, so trimming never drops unread tasks
RESULT_TTL_SECONDS = 3600
SCAN_TASK = "smarthabit.minute_scan"
NIGHTLY_TASK = "smarthabit.nightly"
WEEKLY_TASK = "smarthabit.weekly_summaries"
WEBHOOKS_TASK = "smarthabit.webhooks"
SCHEDULES = {
    SCAN_TASK: [{"cron": "* * * * *", "schedule_id": "minute-scan"}],
    NIGHTLY_TASK: [{"cron": "7 * * * *", "schedule_id": "nightly"}],  # hourly: each zone's night
    WEEKLY_TASK: [{"cron": "*/10 * * * *", "schedule_id": "weekly-summaries"}],
    WEBHOOKS_TASK: [{"cron": "* * * * *", "schedule_id": "webhooks"}],
}
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    TransientDeliveryError,
    telegram.error.TimedOut,  # e.g. getMe while the bot initialises
    telegram.error.NetworkError,
    ConnectionError,
    TimeoutError,
    OSError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    DBConnectionError,
    OperationalError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
)
MAX_RETRY_DELAY = 30.0  # below the redelivery timeout, so a waiting retry is not reclaimed


class RedeliveringStreamBroker(RedisStreamBroker):
    """`RedisStreamBroker` that reclaims abandoned messages also when no new ones arrive."""

    def __init__(self, url: str, *, claim_every: float = 1.0, **kwargs: Any) -> None:
        super().__init__(url, **kwargs)
        self.claim_every = claim_every

    async def listen(self) -> AsyncGenerator[AckableMessage, None]:
        """New messages one at a time, and every `claim_every` seconds the ones another consumer
        took but did not acknowledge within `idle_timeout` ms (its worker died)."""
        last_claim = 0.0
        async with Redis(connection_pool=self.connection_pool) as conn:
            while True:
                fetched = await conn.xreadgroup(
                    self.consumer_group_name, self.consumer_name, {self.queue_name: ">"},
                    block=self.block, count=self.count, noack=False,
                )
                for stream, messages in fetched or []:
                    for message_id, fields in messages:
                        yield AckableMessage(data=fields[b"data"], ack=self._ack_generator(message_id, stream))
                if time.monotonic() - last_claim < self.claim_every:
                    continue
                last_claim = time.monotonic()
                _, claimed, *_ = await conn.xautoclaim(
                    self.queue_name, self.consumer_group_name, self.consumer_name,
                    min_idle_time=self.idle_timeout, start_id="0-0", count=self.unacknowledged_batch_size,
                )
                for message_id, fields in claimed:
                    if not fields:  # deleted from the stream meanwhile
                        continue
                    log.warning("redelivering an unacknowledged task", extra={"message_id": message_id})
                    yield AckableMessage(
                        data=fields[b"data"], ack=self._ack_generator(message_id, self.queue_name)
                    )


class BackoffRetryMiddleware(SmartRetryMiddleware):
    """SmartRetryMiddleware whose backoff really waits on brokers without delayed delivery.

    The retry message is enqueued at once (so it is durable before the failed one is acknowledged)
    with a `retry_not_before` label; the worker that picks it up waits until then.
    """

    async def on_send(self, kicker: AsyncKicker[Any, Any], message: TaskiqMessage, delay: float) -> None:
        await kicker.with_labels(retry_not_before=time.time() + delay).kiq(*message.args, **message.kwargs)

    async def pre_execute(self, message: TaskiqMessage) -> TaskiqMessage:
        not_before = float(message.labels.get("retry_not_before", 0) or 0)
        wait = min(MAX_RETRY_DELAY, not_before - time.time())
        if wait > 0:
            await asyncio.sleep(wait)
        return message


def _instant(now: str | None) -> datetime | None:
    return datetime.fromisoformat(now) if now else None


def _register_tasks(broker: AsyncBroker, runtime: Runtime) -> None:
    """Tasks are closures over the runtime: the broker carries them, no module global does."""

    async def deliver_task(nudge_id: int, now: str | None = None) -> str:
        return (await deliver(runtime, nudge_id, now=_instant(now))).value

    async def minute_scan_task(now: str | None = None) -> dict[str, int]:
        return await jobs.minute_scan(runtime, now=_instant(now))

    async def nightly_task(now: str | None = None) -> dict[str, int]:
        return await jobs.nightly(runtime, now=_instant(now))

    async def nightly_batch_task(user_ids: list[int], now: str | None = None) -> dict[str, int]:
        return await jobs.nightly_batch(runtime, user_ids, now=_instant(now))

    async def weekly_task(now: str | None = None) -> dict[str, int]:
        return await jobs.weekly_summaries(runtime, now=_instant(now))

    async def webhooks_task(now: str | None = None) -> dict[str, int]:
        return await jobs.deliver_webhooks(runtime, now=_instant(now))

    broker.register_task(deliver_task, task_name=DELIVER_TASK)
    broker.register_task(webhooks_task, task_name=WEBHOOKS_TASK, schedule=SCHEDULES[WEBHOOKS_TASK])
    broker.register_task(minute_scan_task, task_name=SCAN_TASK, schedule=SCHEDULES[SCAN_TASK])
    broker.register_task(nightly_task, task_name=NIGHTLY_TASK, schedule=SCHEDULES[NIGHTLY_TASK])
    broker.register_task(nightly_batch_task, task_name=NIGHTLY_BATCH_TASK)
    broker.register_task(weekly_task, task_name=WEEKLY_TASK, schedule=SCHEDULES[WEEKLY_TASK])


def build_broker(
    settings: Settings,
    *,
    manage_database: bool = True,
    inline: bool = False,
    runtime_options: dict[str, Any] | None = None,
) -> AsyncBroker:
    """The broker for these settings, with every task registered and the runtime wired to its
    startup/shutdown events. `manage_database=False` when the host process owns the ORM (`run`,
    tests); `inline=True` makes the in-process broker run a task inside `kiq()` (tests)."""
    broker: AsyncBroker
    if settings.redis_url:
        broker = RedeliveringStreamBroker(
            settings.redis_url,
            queue_name=f"{redis_namespace(settings)}:tasks",
            consumer_group_name=CONSUMER_GROUP,
            idle_timeout=int(settings.task_redelivery_seconds * 1000),
            xread_block=1000,
            xread_count=1,
            unacknowledged_batch_size=10,
            maxlen=STREAM_MAXLEN,
            claim_every=min(5.0, max(0.5, settings.task_redelivery_seconds / 4)),
        ).with_result_backend(RedisAsyncResultBackend(settings.redis_url, result_ex_time=RESULT_TTL_SECONDS))
    else:
        broker = InMemoryBroker(max_async_tasks=50, await_inplace=inline)
    broker.add_middlewares(
        BackoffRetryMiddleware(
            default_retry_count=5, default_retry_label=True, default_delay=1.0, use_jitter=True,
            use_delay_exponent=True, max_delay_exponent=MAX_RETRY_DELAY, types_of_exceptions=TRANSIENT_ERRORS,
        )
    )
    runtime = Runtime(settings, broker, manage_database=manage_database, **(runtime_options or {}))
    broker.state.runtime = runtime
    _register_tasks(broker, runtime)
    # Only processes that execute tasks open the runtime (the in-process broker fires both kinds of
    # events); a process that only sends tasks (the scheduler) needs neither database nor bot.
    broker.add_event_handler(TaskiqEvents.WORKER_STARTUP, runtime.startup)
    broker.add_event_handler(TaskiqEvents.WORKER_SHUTDOWN, runtime.shutdown)
    return broker


def runtime_of(broker: AsyncBroker) -> Runtime:
    """The runtime `build_broker` attached to this broker."""
    runtime = broker.state.runtime
    if not isinstance(runtime, Runtime):  # pragma: no cover - only brokers from build_broker are used
        raise TypeError("not a broker built by tasks.broker.build_broker")
    return runtime


def build_scheduler(broker: AsyncBroker) -> TaskiqScheduler:
    """The one scheduler: crons from the task labels (run exactly one; `run_scheduler` enforces it)."""
    return TaskiqScheduler(broker, sources=[LabelScheduleSource(broker)])


@functools.cache
def _from_environment() -> tuple[AsyncBroker, TaskiqScheduler]:
    broker = build_broker(load_settings())
    return broker, build_scheduler(broker)


def __getattr__(name: str) -> Any:
    """`tasks.broker:broker` / `tasks.broker:scheduler` for the taskiq CLI, built on first access."""
    if name == "broker":
        return _from_environment()[0]
    if name == "scheduler":
        return _from_environment()[1]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
